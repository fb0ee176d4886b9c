"""How every ``digiscore`` command prints its ``--help``: in Chinese and in English, in plain text that wraps by
display width (a Chinese character takes two columns), with placeholders such as ``FILE`` or ``YEAR`` where a
value goes — never Python type names (``<list[Path]>``) — and defaults and required options marked in both
languages.

Help texts are written Chinese first, then English: an option's ``help`` is ``bilingual("中文", "English")``
(two lines), a command's docstring has a Chinese paragraph, then an English one. A text in one language only
(a plug-in's) is shown as it is. :func:`use_bilingual_help` gives every command and group of an app these
classes, the plug-ins' too.

Plain text, not rich: ``digiscore --help`` imports neither rich nor the engine, so it starts fast.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    import typer

DEFAULT_TEXT = "默认 default"
REQUIRED_TEXT = "必填 required"
USAGE_TEXT = "用法 Usage"
HELP_OPTION_TEXT = "显示本帮助并退出\nshow this help and exit"
SECTIONS = {"arguments": "参数 Arguments", "options": "选项 Options", "commands": "命令 Commands"}
OPTIONS_METAVAR = "[选项 OPTIONS]"
SUBCOMMAND_METAVAR = "命令 COMMAND [参数 ARGS]..."
NAME_COLUMN = 24  # an option's name and placeholder; its text starts in the next column, or on the next line


def bilingual(zh: str, en: str) -> str:
    """One help text in both languages: the Chinese line, then the English one."""
    return f"{zh}\n{en}"


def width_of(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide and full-width characters take two."""
    return len(text) if text.isascii() else sum(2 if _wide(c) else 1 for c in text)


NO_BREAK_BEFORE = set("，。、；：！？）」』】》〉”’…%,.;:!?)]}")  # closing marks stay on the line they close
NO_BREAK_AFTER = set("（「『【《〈“‘([{")  # opening marks stay with what they open


def _wide(char: str) -> bool:
    return not char.isascii() and unicodedata.east_asian_width(char) in "WF"


def _pieces(text: str) -> Iterator[str]:
    """Where a line may break: after a space, and before or after a wide character — but never before a closing
    mark or after an opening one."""
    piece = ""
    before = ""
    for char in text:
        if (before == " " and char != " ") or (
            before not in ("", " ")
            and char != " "
            and (_wide(before) or _wide(char))
            and char not in NO_BREAK_BEFORE
            and before not in NO_BREAK_AFTER
        ):
            yield piece
            piece = ""
        piece += char
        before = char
    if piece:
        yield piece


def _one_line(text: str) -> str:
    """The lines of a paragraph joined: with a space, but with none between two wide (Chinese) characters."""
    joined = ""
    for line in text.split("\n"):
        words = " ".join(line.split())
        if joined and words:
            joined += "" if _wide(joined[-1]) and _wide(words[0]) else " "
        joined += words
    return joined


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a word longer than a line gets a line of its own)."""
    lines: list[str] = []
    line = ""
    used = 0  # columns of ``line``
    for piece in _pieces(_one_line(text)):
        columns = width_of(piece)
        if line and used + columns - (1 if piece.endswith(" ") else 0) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
            used = width_of(line)
        else:
            line += piece
            used += columns
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _paragraphs(text: str) -> list[str]:
    """A help text's lines or paragraphs (a line break of the source ends a paragraph), blank ones dropped."""
    return [line.strip() for line in inspect.cleandoc(text).split("\n") if line.strip()]


def _rows(rows: Sequence[tuple[str, str]], width: int, indent: int = 2) -> list[str]:
    """A two-column list: each name, then its text wrapped beside it (or below, when the name is long)."""
    lines: list[str] = []
    column = min(max((width_of(name) for name, _ in rows), default=0), NAME_COLUMN) + indent + 2
    text_width = max(width - column, 20)
    for name, text in rows:
        wrapped = [line for paragraph in _paragraphs(text) for line in wrap(paragraph, text_width)] or [""]
        head = " " * indent + name
        if width_of(head) + 2 > column:
            lines.append(head)
        else:
            lines.append(head + " " * (column - width_of(head)) + wrapped.pop(0))
        lines.extend(" " * column + line for line in wrapped)
    return lines


def _placeholder(param: Any) -> str:
    """The word shown where a value goes: the declared ``metavar``, else the parameter's name in capitals."""
    return str(param.metavar or (param.name or "value").upper())


def _option_name(param: Any) -> str:
    names = ", ".join(sorted(param.opts, key=len))
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    if not (param.is_flag or param.count):
        names += " " + _placeholder(param)
    return names


def _extra(param: Any) -> str:
    """``[默认 default: …]`` or ``[必填 required]``: a flag's default only when it is on."""
    if param.required:
        return f"[{REQUIRED_TEXT}]"
    default = param.default
    if getattr(param, "is_flag", False):
        return f"[{DEFAULT_TEXT}: {param.opts[0]}]" if default is True and param.secondary_opts else ""
    if default is None or default == "" or callable(default) or isinstance(default, list | tuple):
        return ""
    return f"[{DEFAULT_TEXT}: {default}]"


def _param_rows(params: Sequence[Any], kind: str) -> list[tuple[str, str]]:
    rows = []
    for param in params:
        if param.param_type_name != kind or getattr(param, "hidden", False):
            continue
        if kind == "argument":
            name = _placeholder(param) + ("..." if param.nargs != 1 else "")
        else:
            name = _option_name(param)
        help_text = getattr(param, "help", None) or ""
        extra = _extra(param)
        rows.append((name, f"{help_text}\n{extra}" if extra else help_text))
    return rows


def _usage_pieces(command: Any, ctx: Any) -> list[str]:
    pieces = [OPTIONS_METAVAR]
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            piece = _placeholder(param) + ("..." if param.nargs != 1 else "")
            pieces.append(piece if param.required else f"[{piece}]")
    return pieces


def _write_usage(ctx: Any, formatter: Any, pieces: Sequence[str]) -> None:
    text = f"{USAGE_TEXT}: {ctx.command_path} {' '.join(pieces)}"
    formatter.write("\n".join(wrap(text, formatter.width)) + "\n")


def _text_block(text: str | None, width: int) -> list[str]:
    """A command's description or epilog: its paragraphs (up to a form feed) wrapped, indented, each followed by
    a blank line."""
    lines: list[str] = []
    for paragraph in inspect.cleandoc(text or "").partition("\f")[0].split("\n\n"):
        if paragraph.strip():
            lines.extend(["  " + line for line in wrap(paragraph, width - 2)] + [""])
    return lines


def _write_help(command: Any, ctx: Any, formatter: Any, commands: list[tuple[str, str]] | None) -> None:
    width = formatter.width
    lines = ["", *_text_block(command.help, width)]
    params = command.get_params(ctx)
    for kind, title in (("argument", SECTIONS["arguments"]), ("option", SECTIONS["options"])):
        rows = _param_rows(params, kind)
        if rows:
            lines.extend([f"{title}:", *_rows(rows, width), ""])
    if commands:
        lines.extend([f"{SECTIONS['commands']}:", *_rows(commands, width), ""])
    lines.extend(_text_block(command.epilog, width))
    formatter.write("\n".join(lines) + "\n")


def _with_help_text(option: Any) -> Any:
    if option is not None:
        option.help = HELP_OPTION_TEXT
    return option


def short_help(command: Any) -> str:
    """A command's line in its group's list: the first sentence of each language's paragraph."""
    text = inspect.cleandoc(command.short_help or command.help or "").partition("\f")[0]
    paragraphs = [p for p in text.split("\n\n") if p.strip()][:2]
    return "\n".join(_one_line(p) for p in paragraphs)


# What a value of a number option must look like, said in both languages instead of click's English
NUMBER_TEXT = {
    "integer": ("须为整数", "must be a whole number"),
    "float": ("须为数字，如 0.25", "must be a number, e.g. 0.25"),
}
_CJK = re.compile(r"[\u3400-\u9fff]")


def _number_kind(param: Any) -> str:
    """``integer`` or ``float`` for an option that takes a number (one or a list of them), else ""."""
    import typing

    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if annotation is None:  # click's own parameter types
        return str(getattr(getattr(param, "type", None), "name", ""))
    found = {int: "integer", float: "float"}
    kinds = [found[a] for a in (annotation, *typing.get_args(annotation)) if a in found]
    for arg in typing.get_args(annotation):  # list[int] | None
        kinds += [found[a] for a in typing.get_args(arg) if a in found]
    return kinds[0] if kinds else ""


def usage_error_text(error: Any) -> str:
    """A usage error (click's, or a ``typer.BadParameter`` a command raised) in Chinese and English, naming the
    option or the placeholder as the help shows it."""
    from typer._click import exceptions as errors

    param = getattr(error, "param", None)
    if param is not None:
        name = _placeholder(param) if param.param_type_name == "argument" else " / ".join(param.opts)
    else:
        name = str(getattr(error, "param_hint", "") or "")
    message = str(error.message)
    if isinstance(error, errors.MissingParameter):
        kind = (
            ("参数", "argument")
            if param is not None and param.param_type_name == "argument"
            else ("选项", "option")
        )
        return f"缺少必填的{kind[0]} {name}\nmissing {kind[1]} {name}"
    if isinstance(error, errors.NoSuchOption):
        near = ", ".join(error.possibilities or ())
        return (
            f"没有选项 {error.option_name}" + (f"（是否想用 {near}？）" if near else "") + "\n"
            f"no such option {error.option_name}" + (f" (did you mean {near}?)" if near else "")
        )
    if isinstance(error, errors.BadParameter):
        where = f" {name}" if name else ""
        number = _number_kind(param)
        if number in NUMBER_TEXT and not _CJK.search(
            message
        ):  # click's (or typer's) own text, in English only
            zh, en = NUMBER_TEXT[number]
            if getattr(param, "name", "") == "year":
                zh, en = zh + "，如 2024", en + ", e.g. 2024"
            return f"{name} {zh}\n{name} {en}"
        return f"参数值无效{where} / invalid value{' for' + where if where else ''}:\n{message}"
    if isinstance(error, errors.BadOptionUsage) and "requires an argument" in message:
        return f"选项 {error.option_name} 后面缺少值\noption {error.option_name} needs a value"
    if message.startswith("No such command"):
        return f"没有这个命令，可用的命令见 digiscore -h\n{message}"
    return f"参数有误 / {message}"


def show_usage_error(error: Any) -> None:
    """The usage line, where the help is, and the error in both languages, on stderr."""
    import shutil
    import sys

    lines = []
    if error.ctx is not None:
        lines.append(error.ctx.get_usage())
        lines.append(f"帮助 Help: {error.ctx.command_path} -h\n")
    # wrapped to the terminal (COLUMNS when set) as Chinese text is: a list of units stays readable at 80 columns
    width = max(shutil.get_terminal_size().columns, 40)
    text = f"错误 Error: {usage_error_text(error)}".split("\n")
    for paragraph in text:
        indent = " " * (len(paragraph) - len(paragraph.lstrip()))  # a listing's indentation stays
        lines.extend(indent + line for line in wrap(paragraph, width - len(indent)))
    print("\n".join(lines), file=sys.stderr)


class HelpCommand(TyperCommand):
    """A command whose ``--help`` is bilingual plain text (see the module)."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _write_usage(ctx, formatter, _usage_pieces(self, ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.format_usage(ctx, formatter)
        _write_help(self, ctx, formatter, None)

    def get_help_option(self, ctx: Any) -> Any:
        return _with_help_text(super().get_help_option(ctx))


class HelpGroup(TyperGroup):
    """A group (``digiscore`` itself, ``digiscore token``) whose ``--help`` is bilingual plain text, and whose
    usage errors (its commands' too) are shown in both languages."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        import sys

        from typer._click import exceptions as errors
        from typer.exceptions import Abort

        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        try:
            # not standalone: usage errors come back here to be shown in both languages; an exit code comes back
            # as the return value (typer returns it for typer.Exit)
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except errors.NoArgsIsHelpError as error:
            error.show()
            sys.exit(error.exit_code)
        except errors.UsageError as error:
            show_usage_error(error)
            sys.exit(error.exit_code)
        except errors.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except Abort:
            print("已中止 / aborted", file=sys.stderr)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _write_usage(ctx, formatter, [*_usage_pieces(self, ctx), SUBCOMMAND_METAVAR])

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.format_usage(ctx, formatter)
        commands = [
            (name, short_help(command))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        _write_help(self, ctx, formatter, commands)

    def get_help_option(self, ctx: Any) -> Any:
        return _with_help_text(super().get_help_option(ctx))


def use_bilingual_help(app: typer.Typer) -> None:
    """Give every command and group of ``app`` (the plug-ins' too) the bilingual help, unless one chose a class
    of its own (typer leaves its plain classes, or a placeholder, where none was chosen)."""
    if not isinstance(app.info.cls, type) or app.info.cls is TyperGroup:
        app.info.cls = HelpGroup
    for command in app.registered_commands:
        if command.cls is None or command.cls is TyperCommand:
            command.cls = HelpCommand
    for group in app.registered_groups:
        if not isinstance(group.cls, type) or group.cls is TyperGroup:
            group.cls = HelpGroup
        if group.typer_instance is not None:
            use_bilingual_help(group.typer_instance)
