"""Chinese for the fixed words of typer's help screens (panel titles, "Usage:", the help option).

Our own help texts are written in Chinese; these words belong to the framework. Applied once,
when ``bot.cli`` is imported. Typer's usage errors built with f-strings stay in English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer.rich_utils
from typer._click import decorators, formatting

HELP_OPTION = "显示帮助并退出。"
USAGE = "用法："


def _help_option(original: Callable[..., Any]) -> Callable[..., Any]:
    def help_option(param_decls: list[str]) -> Callable[..., Any]:
        decorate = original(param_decls)

        def apply(command: Any) -> Any:
            command = decorate(command)
            command.params[-1].help = HELP_OPTION
            return command

        return apply

    return help_option


def _usage(original: Callable[..., None]) -> Callable[..., None]:
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, args, USAGE if prefix is None else prefix)

    return write_usage


def apply() -> None:
    if getattr(decorators, "_hgj_chinese", False):
        return
    decorators.help_option = _help_option(decorators.help_option)  # type: ignore[assignment]
    decorators._hgj_chinese = True  # type: ignore[attr-defined]
    formatting.HelpFormatter.write_usage = _usage(formatting.HelpFormatter.write_usage)  # type: ignore[method-assign]
    words = typer.rich_utils
    words.ARGUMENTS_PANEL_TITLE = "参数"
    words.OPTIONS_PANEL_TITLE = "选项"
    words.COMMANDS_PANEL_TITLE = "命令"
    words.ERRORS_PANEL_TITLE = "错误"
    words.ABORTED_TEXT = "已中止。"
    words.DEFAULT_STRING = "[默认：{}]"
    words.REQUIRED_LONG_STRING = "[必填]"
    words.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
    words.OptionHighlighter.highlights = [*words.OptionHighlighter.highlights, rf"(?P<usage>{USAGE})"]
