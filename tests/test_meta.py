"""Meta-tests: every command is documented, in its --help and in the README.

The README test requires, for every command, the literal string "essaycheck <command>"
in README.md: "essaycheck check", "essaycheck mark", "essaycheck evaluate",
"essaycheck train", "essaycheck rubric build", "essaycheck rubric validate".
"""

from __future__ import annotations

import importlib.util
import inspect
import re

import click
import pytest
from click.testing import CliRunner
from conftest import REPO_DIR

import essaycheck.errors
from essaycheck.cli import EXIT_CODES_HELP, ExitCode, cli
from essaycheck.errors import EssaycheckError

README = REPO_DIR / "README.md"
REPO_PATH = re.compile(r"\b(?:examples|rubrics|models|scripts)/[\w./-]*[\w/]")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    """Every command under ``group``, groups included, as ("rubric build", command)."""
    found = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append((" ".join(path), command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


COMMANDS = _commands(cli)
LEAF_COMMANDS = [(name, c) for name, c in COMMANDS if not isinstance(c, click.Group)]


def test_the_command_set_is_the_documented_one() -> None:
    assert [name for name, _ in LEAF_COMMANDS] == [
        "calibrate",
        "check",
        "evaluate",
        "mark",
        "override",
        "report",
        "rubric build",
        "rubric validate",
        "serve",
        "train",
    ]


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_has_help_text(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), name
    summary = command.get_short_help_str(limit=80)
    assert summary and not summary.endswith("..."), summary


@pytest.mark.parametrize(
    ("name", "command"), LEAF_COMMANDS, ids=[name for name, _ in LEAF_COMMANDS]
)
def test_every_command_shows_an_example_and_the_exit_codes(
    name: str, command: click.Command
) -> None:
    assert command.help is not None
    assert f"Example: essaycheck {name}" in command.help
    assert command.epilog == EXIT_CODES_HELP


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_option_has_help_text(name: str, command: click.Command) -> None:
    undocumented = [
        param.name for param in command.params if isinstance(param, click.Option) and not param.help
    ]

    assert undocumented == []


def test_exit_codes_help_lists_every_exit_code() -> None:
    for code in ExitCode:
        assert re.search(rf"^  {code.value}  \S", EXIT_CODES_HELP, re.MULTILINE), code


@pytest.mark.parametrize("name", [name for name, _ in LEAF_COMMANDS])
def test_readme_mentions_every_command(name: str) -> None:
    assert README.is_file(), "README.md is missing"

    assert f"essaycheck {name}" in README.read_text("utf-8")


def test_readme_documents_every_exit_code() -> None:
    text = README.read_text("utf-8")

    for code in ExitCode:
        assert re.search(rf"^\|\s*{code.value}\s*\|", text, re.MULTILINE), code


def _mentioned_paths() -> list[str]:
    texts = [README.read_text("utf-8")] if README.is_file() else []
    texts += [command.help or "" for _, command in COMMANDS]
    return sorted({match.rstrip("./") for text in texts for match in REPO_PATH.findall(text)})


@pytest.mark.parametrize("path", _mentioned_paths())
def test_repository_paths_in_the_docs_exist(path: str) -> None:
    assert (REPO_DIR / path).exists(), f"README.md or a command's help mentions {path}"


def test_every_error_derives_from_essaycheck_error() -> None:
    errors = [
        value
        for _, value in inspect.getmembers(essaycheck.errors, inspect.isclass)
        if issubclass(value, Exception) and value.__module__ == essaycheck.errors.__name__
    ]

    assert len(errors) >= 6
    assert all(issubclass(error, EssaycheckError) for error in errors)


def test_readme_command_reference_is_the_commands_help() -> None:
    spec = importlib.util.spec_from_file_location(
        "update_readme_help", REPO_DIR / "scripts" / "update_readme_help.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = (REPO_DIR / "README.md").read_text("utf-8")

    assert script.replace_reference(readme) == readme, (
        "README's command reference differs from --help: run "
        "python scripts/update_readme_help.py and review the diff"
    )


def test_readme_examples_are_what_the_commands_print(runner: CliRunner) -> None:
    spec = importlib.util.spec_from_file_location(
        "update_readme_help", REPO_DIR / "scripts" / "update_readme_help.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = (REPO_DIR / "README.md").read_text("utf-8")

    def run(args: list[str]) -> str:
        result = runner.invoke(cli, args, prog_name="essaycheck", terminal_width=script.WIDTH)
        return str(result.output)

    assert script.EXAMPLE.search(readme), "the README shows no example"
    assert script.replace_examples(readme, run) == readme, (
        "an example in the README no longer shows what the command prints: run "
        "python scripts/update_readme_help.py and review the diff"
    )


FORMAT_SENTENCES = {
    "check": re.compile(r"ESSAY is a ((?:\.\w+,? )+or \.\w+) file"),
    "mark": re.compile(r"Reads ((?:\.\w+,? )+and \.\w+) files"),
}


def _listed(sentence: str) -> set[str]:
    return set(re.findall(r"\.(\w+)", sentence))


@pytest.mark.parametrize("command", sorted(FORMAT_SENTENCES))
def test_help_and_readme_list_exactly_the_formats_read(command: str) -> None:
    from essaycheck.io.formats import SHOWN_FORMATS

    help_text = " ".join((cli.commands[command].help or "").split())
    readme = " ".join(README.read_text("utf-8").split())
    in_help = FORMAT_SENTENCES[command].search(help_text)
    in_readme = FORMAT_SENTENCES[command].search(readme)

    assert in_help and in_readme, command
    assert _listed(in_help[1]) == set(SHOWN_FORMATS)
    assert _listed(in_readme[1]) == set(SHOWN_FORMATS)
