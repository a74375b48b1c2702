# Tsunagu as a container: slim Python, a non-root user, the data directory as a volume, a healthcheck on /healthz.
# The entrypoint is deploy/entrypoint.sh, which tests/e2e/test_entrypoint.py runs without a container.
#   docker build -t tsunagu .
#   docker run -e TSUNAGU_DATA_KEY=… -v tsunagu-data:/data -p 127.0.0.1:8000:8000 tsunagu
#   docker run … tsunagu backup /data/backups/2026-12-07.backup    (any tsunagu command)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# pg_dump and pg_restore for `tsunagu backup` and `restore` on PostgreSQL (Debian 12: version 15)
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin tsunagu

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY dialogs dialogs
COPY storage storage
COPY locales locales
COPY deploy/entrypoint.sh deploy/entrypoint.sh
# editable, so the catalogs in /app/locales sit beside the code that reads them
RUN pip install -e . \
    && pybabel compile -d locales -D messages \
    && mkdir /data && chown tsunagu:tsunagu /data

ENV TSUNAGU_DATA_DIR=/data TSUNAGU_HOST=0.0.0.0 TSUNAGU_PORT=8000 TSUNAGU_WORKERS=1
USER tsunagu
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/deploy/entrypoint.sh", "healthcheck"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["serve"]
