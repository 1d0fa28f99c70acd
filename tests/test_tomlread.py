"""The strict TOML reader's line finder, on plain text."""

import pytest

from launchtui.tomlread import KeyLines, Table, Where

TEXT = '''\
schema = 2  # top
[domain]
apex = "acme.test"
notes = """
name = "not a key: inside a string"
"""
[[domain.subdomains]]
name = "app"
[[domain.subdomains]]
name = "api"
"quoted key" = 1
[[stages]]
id = "one"
[[stages.checklist]]
id = "a"
[[stages]]
id = "two"
[[stages.checklist]]
id = "b"
[[stages.checklist]]
id = "c"
'''


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("schema", 1),
        ("domain", 2),
        ("domain.apex", 3),
        ("domain.subdomains[0].name", 8),
        ("domain.subdomains[1].name", 10),
        ("domain.subdomains[1].quoted key", 11),
        ("stages[1].checklist[1].id", 21),
        ("stages[0].checklist[0].id", 15),
        ("stages[1].checklist[0].missing", 18),  # the closest enclosing key
        ("nowhere", None),
    ],
)
def test_lines_of_keys_tables_and_array_rows(key, line):
    assert KeyLines(TEXT).line_of(key) == line


def test_errors_name_the_file_line_and_key_and_describe_text_by_its_kind(tmp_path):
    where = Where(tmp_path / "x.toml", lines=KeyLines("budget = 'fast'"))
    table = Table({"budget": "fast"}, where, optional=("budget",))
    with pytest.raises(ValueError) as error:
        table.integer("budget", unit="milliseconds")
    assert str(error.value) == (
        f"{tmp_path / 'x.toml'}:1: budget: expected a whole number of milliseconds, got text"
    )
