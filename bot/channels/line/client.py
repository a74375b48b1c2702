"""The line-bot-sdk async Messaging API client for our settings (made inside the loop that uses
it, as aiohttp asks), and the small calls around it: bot info, a person's language."""

from __future__ import annotations

import logging

import aiohttp
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from linebot.v3.messaging.exceptions import ApiException

from bot.channels.line.settings import LineSettings

log = logging.getLogger(__name__)
PROFILE_TIMEOUT = 0.8  # the webhook must answer within LINE's two seconds


class LineApi:
    """An AsyncMessagingApi made on first use in the running loop; close() releases it."""

    def __init__(self, settings: LineSettings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self._client: AsyncApiClient | None = None
        self._api: AsyncMessagingApi | None = None

    def api(self) -> AsyncMessagingApi:
        """The client, made now if needed."""
        if self._api is None:
            config = Configuration(host=self.settings.api_base_url, access_token=self.settings.access_token)
            self._client = AsyncApiClient(config)
            self._api = AsyncMessagingApi(self._client)
        return self._api

    async def language(self, user_id: str) -> str | None:
        """The person's LINE language, or None when it cannot be had quickly."""
        try:
            profile = await self.api().get_profile(user_id, _request_timeout=PROFILE_TIMEOUT)
        except (ApiException, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("LINE profile unavailable: %s", type(exc).__name__)
            return None
        language = getattr(profile, "language", None)
        return str(language) if language else None

    async def show_menu(self, user_id: str, locale: str) -> None:
        """Link the person to their language's rich menu (`tsunagu line richmenu`); a failure is only logged."""
        from bot.channels.line.richmenu import alias

        try:
            found = await self.api().get_rich_menu_alias(alias(locale), _request_timeout=PROFILE_TIMEOUT)
            await self.api().link_rich_menu_id_to_user(user_id, found.rich_menu_id, _request_timeout=PROFILE_TIMEOUT)
        except (ApiException, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("LINE rich menu not linked: %s", type(exc).__name__)

    async def bot_info(self) -> tuple[str, str]:
        """(display name, basic id); raises ApiException or a network error when the token or URL is wrong."""
        info = await self.api().get_bot_info(_request_timeout=self.timeout)
        return str(info.display_name), str(info.basic_id)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._client is not None:
            await self._client.close()
            self._client = self._api = None
