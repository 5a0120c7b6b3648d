"""Importing an org tree from a file into a real migrated SQLite database, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import demo
from bot.domain.admin.org_import import OrgImportError
from bot.domain.models import NewOrgUnit, OrgKind
from bot.services.admin.org_import import import_orgs, import_orgs_text
from bot.services.orgs import OrgService
from storage.database import Database
from storage.org_units import OrgUnitRepository
from storage.store import Store

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)

TREE_CSV = """\
编码,名称,类型,上级编码
D01,示例区团区委,团区委,
S01,东湖街道团工委,街道团工委,D01
S01-01,湖滨社区团支部,团支部,S01
S01-02,桃源社区团支部,团支部,S01
C01,区教育系统团委,团委,D01
S01-03,翠苑社区团支部,团支部,S01
"""

TREE_TOML = """\
[[unit]]
code = "D01"
name = "示例区团区委"
kind = "district"

  [[unit.children]]
  code = "S01"
  name = "东湖街道团工委"
  kind = "street"

    [[unit.children.children]]
    code = "S01-01"
    name = "湖滨社区团支部"
    kind = "branch"

    [[unit.children.children]]
    code = "S01-02"
    name = "桃源社区团支部"
    kind = "branch"

  [[unit.children]]
  code = "C01"
  name = "区教育系统团委"
  kind = "committee"
"""


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "bot.db")
    await database.connect()
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def repo(db):
    return OrgUnitRepository(db)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


async def test_a_csv_tree_is_imported_with_materialised_paths_and_children_in_file_order(
    repo, tmp_path
):
    report = await import_orgs(repo=repo, path=write(tmp_path, "orgs.csv", TREE_CSV), now=NOW)

    district = await repo.get_by_code(code="D01")
    street = await repo.get_by_code(code="S01")
    branch = await repo.get_by_code(code="S01-03")
    assert district.path == f"/{district.id}/"
    assert street.path == f"/{district.id}/{street.id}/"
    assert branch.path == f"/{district.id}/{street.id}/{branch.id}/"
    assert branch.parent_id == street.id
    children = await repo.children(parent_id=street.id)
    assert [unit.name for unit in children] == [
        "湖滨社区团支部",
        "桃源社区团支部",
        "翠苑社区团支部",
    ]
    assert [unit.code for unit in await repo.children(parent_id=district.id)] == ["S01", "C01"]
    assert report.format == "csv"
    assert report.created == {
        OrgKind.DISTRICT: 1,
        OrgKind.STREET: 1,
        OrgKind.COMMITTEE: 1,
        OrgKind.BRANCH: 3,
    }
    assert report.total == 6 == await repo.count()


async def test_a_gbk_encoded_csv_with_chinese_headers_is_imported(repo, tmp_path):
    path = write(tmp_path, "orgs.CSV", TREE_CSV, encoding="gbk")

    report = await import_orgs(repo=repo, path=path, now=NOW)

    assert report.total == 6
    assert (await repo.get_by_code(code="S01-01")).name == "湖滨社区团支部"


async def test_a_toml_tree_is_imported_with_materialised_paths_and_children_in_order(
    repo, tmp_path
):
    report = await import_orgs(repo=repo, path=write(tmp_path, "orgs.toml", TREE_TOML), now=NOW)

    street = await repo.get_by_code(code="S01")
    subtree = await repo.subtree(unit_id=street.id)
    assert [unit.code for unit in subtree] == ["S01", "S01-01", "S01-02"]
    assert all(unit.path.startswith(street.path) for unit in subtree)
    assert subtree[1].path == f"{street.path}{subtree[1].id}/"
    assert report.format == "toml"
    assert report.created[OrgKind.BRANCH] == 2
    assert [unit.code for unit in report.units] == ["D01", "S01", "S01-01", "S01-02", "C01"]


async def test_a_file_with_one_bad_row_imports_nothing_and_names_the_line(repo, tmp_path):
    text = TREE_CSV + "S01-04,新村社区团支部,团小组,S01\n"

    with pytest.raises(OrgImportError) as caught:
        await import_orgs(repo=repo, path=write(tmp_path, "orgs.csv", text), now=NOW)

    assert [(p.where, p.code) for p in caught.value.problems] == [
        ("line 8", "org_import.unknown_kind")
    ]
    assert await repo.count() == 0


async def test_the_demo_tree_imports_and_one_unit_needs_more_than_one_page_of_branches(db, repo):
    report = await import_orgs(repo=repo, path=demo.orgs_path(), now=NOW)

    assert report.created[OrgKind.DISTRICT] == 1
    assert report.created[OrgKind.STREET] == 3
    assert report.created[OrgKind.COMMITTEE] == 2
    district = await repo.get_by_code(code="D01")
    assert district.name == "示例区团区委"
    branch_counts = {}
    for unit in await repo.children(parent_id=district.id):
        children = await repo.children(parent_id=unit.id)
        assert all(child.kind is OrgKind.BRANCH for child in children)
        branch_counts[unit.name] = len(children)
    assert branch_counts["区教育系统团委"] > 8
    education = await repo.get_by_code(code="C01")
    level = await OrgService(store=Store(db)).level(parent_id=education.id)
    assert level.pages == 2
    assert len(level.units) == 8


async def test_the_demo_text_from_the_package_matches_the_demo_file(repo):
    report = await import_orgs_text(repo=repo, text=demo.orgs_text(), fmt="toml", now=NOW)

    assert report.total == await repo.count() == 34


async def test_a_second_import_adds_branches_under_existing_units_after_their_children(
    repo, tmp_path
):
    await import_orgs(repo=repo, path=write(tmp_path, "orgs.csv", TREE_CSV), now=NOW)
    more = (
        "code,name,kind,parent_code\n"
        "C01-01,第一中学团支部,branch,C01\n"
        "S01-04,新村社区团支部,branch,S01\n"
    )

    report = await import_orgs(repo=repo, path=write(tmp_path, "more.csv", more), now=NOW)

    assert report.created == {
        OrgKind.DISTRICT: 0,
        OrgKind.STREET: 0,
        OrgKind.COMMITTEE: 0,
        OrgKind.BRANCH: 2,
    }
    street = await repo.get_by_code(code="S01")
    committee = await repo.get_by_code(code="C01")
    assert [unit.code for unit in await repo.children(parent_id=street.id)] == [
        "S01-01",
        "S01-02",
        "S01-03",
        "S01-04",
    ]
    added = await repo.get_by_code(code="C01-01")
    assert added.path == f"{committee.path}{added.id}/"


async def test_a_second_toml_import_can_hang_units_under_stored_ones(repo):
    await import_orgs_text(repo=repo, text=TREE_TOML, fmt="toml", now=NOW)
    more = (
        '[[unit]]\ncode = "C01-01"\nname = "第一中学团支部"\nkind = "branch"\nparent_code = "C01"\n'
    )

    report = await import_orgs_text(repo=repo, text=more, fmt="toml", now=NOW)

    assert report.units[0].parent_id == (await repo.get_by_code(code="C01")).id


async def test_re_importing_an_existing_code_is_refused_with_its_line_and_imports_nothing(
    repo, tmp_path
):
    await import_orgs(repo=repo, path=write(tmp_path, "orgs.csv", TREE_CSV), now=NOW)
    again = "code,name,kind,parent_code\nC01-01,第一中学团支部,branch,C01\nS01-02,桃源,branch,S01\n"

    with pytest.raises(OrgImportError) as caught:
        await import_orgs(repo=repo, path=write(tmp_path, "again.csv", again), now=NOW)

    assert [(p.where, p.code, p.params) for p in caught.value.problems] == [
        ("line 3", "org_import.code_exists", {"code": "S01-02"})
    ]
    assert await repo.count() == 6


async def test_a_branch_cannot_be_added_under_a_stored_branch(repo):
    await import_orgs_text(repo=repo, text=TREE_CSV, fmt="csv", now=NOW)

    with pytest.raises(OrgImportError) as caught:
        await import_orgs_text(
            repo=repo,
            text="code,name,kind,parent_code\nX1,小组,branch,S01-01\n",
            fmt="csv",
            now=NOW,
        )

    assert [(p.where, p.code) for p in caught.value.problems] == [
        ("line 2", "org_import.under_branch")
    ]


@pytest.mark.parametrize("name", ["orgs.xlsx", "orgs.txt", "orgs"])
async def test_a_file_that_is_neither_csv_nor_toml_is_refused(repo, tmp_path, name):
    with pytest.raises(OrgImportError) as caught:
        await import_orgs(repo=repo, path=write(tmp_path, name, TREE_CSV), now=NOW)

    assert caught.value.problems[0].code == "org_import.unsupported_format"
    assert "use a .csv or .toml file" in str(caught.value)
    assert await repo.count() == 0


async def test_a_missing_file_is_refused_with_a_clear_problem(repo, tmp_path):
    with pytest.raises(OrgImportError) as caught:
        await import_orgs(repo=repo, path=tmp_path / "missing.toml", now=NOW)

    assert caught.value.problems[0].code == "org_import.cannot_read"
    assert caught.value.problems[0].where == "missing.toml"


class _RacingRepository(OrgUnitRepository):
    """Another admin stores `racer` between the import reading the tree and writing it."""

    def __init__(self, db: Database, racer: NewOrgUnit) -> None:
        super().__init__(db)
        self._racer: NewOrgUnit | None = racer

    async def add_many(self, *, units, now, actor_user_id=None):
        if self._racer is not None:
            await super().add_many(units=[self._racer], now=now)
            self._racer = None
        return await super().add_many(units=units, now=now, actor_user_id=actor_user_id)


async def test_a_code_stored_by_someone_else_during_the_import_is_reported_with_its_line(db):
    await OrgUnitRepository(db).add_many(
        units=[
            NewOrgUnit(code="D01", name="示例区团区委", kind=OrgKind.DISTRICT, parent_code=None)
        ],
        now=NOW,
    )
    racer = NewOrgUnit(code="S01", name="抢先的街道", kind=OrgKind.STREET, parent_code="D01")
    repo = _RacingRepository(db, racer)
    text = (
        "code,name,kind,parent_code\nS02,西城街道团工委,street,D01\nS01,东湖街道团工委,street,D01\n"
    )

    with pytest.raises(OrgImportError) as caught:
        await import_orgs_text(repo=repo, text=text, fmt="csv", now=NOW)

    assert [(p.where, p.code) for p in caught.value.problems] == [
        ("line 3", "org_import.code_exists")
    ]
    assert sorted(unit.code for unit in await repo.all()) == ["D01", "S01"]
