"""`tsunagu line richmenu`: one rich menu a language (its image drawn by bot/channels/line/menu_image.py), each
under the alias `tsunagu-<language>`, the default language's for everyone; the webhook links a person to their
language's menu (bot/channels/line/client.py). Installing again replaces the menus (people linked to an old one
see the default until their language is set again)."""

from __future__ import annotations

from typing import Any

from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    CreateRichMenuAliasRequest,
    MessagingApi,
    MessagingApiBlob,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    UpdateRichMenuAliasRequest,
)

from bot.channels.line.menu_image import AREAS, HEIGHT, WIDTH, draw, labels
from bot.channels.line.settings import LineSettings
from dialogs.i18n import LANGUAGES, N_, gettext, use_locale

PREFIX = "tsunagu-"
CHAT_BAR = N_("メニュー")
DATA_ROOT = "https://api-data.line.me"  # where line-bot-sdk sends images (fixed in the SDK)


def alias(locale: str) -> str:
    """The alias of a language's menu (`tsunagu-ja_easy`: LINE allows letters, digits, - and _)."""
    return PREFIX + locale.replace("@", "_")


def one_line(label: str) -> str:
    """A label of several lines as one (as the person's own message, and for screen readers)."""
    return "".join(line if line.endswith("・") else line + " " for line in label.split("\n")).strip()


def request(locale: str) -> RichMenuRequest:
    """The menu in a language: four areas side by side, each a postback the webhook takes as a command."""
    width = WIDTH // len(AREAS)
    words = labels(locale)
    with use_locale(locale):
        bar = gettext(CHAT_BAR)
    areas = [RichMenuArea(bounds=RichMenuBounds(x=n * width, y=0, width=width, height=HEIGHT),
                          action=PostbackAction(label=one_line(word)[:20], data=area.data,
                                                displayText=one_line(word)))
             for n, (area, word) in enumerate(zip(AREAS, words, strict=True))]
    return RichMenuRequest(size=RichMenuSize(width=WIDTH, height=HEIGHT), selected=False, name=alias(locale),
                           chatBarText=bar[:14], areas=areas)


class _Client(ApiClient):  # type: ignore[misc]
    """line-bot-sdk's client, sending the image calls to LINE_API_DATA_BASE_URL (a stand-in in tests)."""

    def __init__(self, configuration: Configuration, data_root: str) -> None:
        super().__init__(configuration)
        self.data_root = data_root

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, url.replace(DATA_ROOT, self.data_root, 1), *args, **kwargs)


def install(settings: LineSettings, default_locale: str, timeout: float) -> dict[str, str]:
    """Create each language's menu with its image and alias, make the default language's everyone's, then delete
    the menus an earlier install made; {language: rich menu id}."""
    config = Configuration(host=settings.api_base_url, access_token=settings.access_token)
    with _Client(config, settings.data_base_url) as client:
        api, blob = MessagingApi(client), MessagingApiBlob(client)
        old = [m.rich_menu_id for m in api.get_rich_menu_list(_request_timeout=timeout).richmenus
               if m.name.startswith(PREFIX)]
        aliases = {a.rich_menu_alias_id for a in api.get_rich_menu_alias_list(_request_timeout=timeout).aliases}
        made: dict[str, str] = {}
        for language in LANGUAGES:
            menu_id = api.create_rich_menu(request(language.code), _request_timeout=timeout).rich_menu_id
            blob.set_rich_menu_image(menu_id, draw(language.code), _headers={"Content-Type": "image/png"},
                                     _request_timeout=timeout)
            name = alias(language.code)
            if name in aliases:
                api.update_rich_menu_alias(name, UpdateRichMenuAliasRequest(richMenuId=menu_id),
                                           _request_timeout=timeout)
            else:
                api.create_rich_menu_alias(CreateRichMenuAliasRequest(richMenuAliasId=name, richMenuId=menu_id),
                                           _request_timeout=timeout)
            made[language.code] = menu_id
        api.set_default_rich_menu(made[default_locale], _request_timeout=timeout)
        for menu_id in old:
            api.delete_rich_menu(menu_id, _request_timeout=timeout)
    return made
