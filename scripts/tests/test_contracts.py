"""Consumer contracts: the committed ODCS contract matches the models, and changes that break consumers fail."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest

from revenue_warehouse.config import PROJECT_ROOT, WarehouseError
from revenue_warehouse.devtools.contracts import CONTRACT, breaking, generate, parse


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return json.loads(parse(PROJECT_ROOT, tmp_path_factory.mktemp("target")).read_text())


def _generated(manifest: dict, tmp_path: Path) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return generate(path)


def _mart(manifest: dict, name: str) -> dict:
    return next(n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == name)


def test_committed_contract_is_the_one_the_models_generate(manifest: dict, tmp_path: Path) -> None:
    assert _generated(manifest, tmp_path) == CONTRACT.read_text(), "run `python -m revenue_warehouse.devtools.contracts write`"


def test_dropped_column_renamed_mart_and_changed_grain_change_the_contract(manifest: dict, tmp_path: Path) -> None:
    committed = CONTRACT.read_text()
    dropped = copy.deepcopy(manifest)
    del _mart(dropped, "fct_revenue_monthly")["columns"]["arr_usd"]
    assert "name: arr_usd" in committed and _generated(dropped, tmp_path).count("name: arr_usd") == committed.count("name: arr_usd") - 1

    renamed = copy.deepcopy(manifest)
    _mart(renamed, "fct_sales_funnel")["name"] = "fct_funnel"
    text = _generated(renamed, tmp_path)
    assert "- name: fct_sales_funnel" in committed and "- name: fct_sales_funnel" not in text

    regrained = copy.deepcopy(manifest)
    _mart(regrained, "fct_revenue_per_head")["constraints"][0]["columns"] = ["month"]
    text = _generated(regrained, tmp_path)
    assert "one row per month, function" in committed and "one row per month, function" not in text


def test_unversioned_breaking_change_to_a_contracted_mart_fails(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive.stdout, check=True)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                       capture_output=True)

    git("init", "-b", "main")
    git("add", "-A")
    git("commit", "-m", "base")
    yml = repo / "models/marts/revenue/_revenue__models.yml"
    text = yml.read_text()
    line = next(x for x in text.splitlines(True) if "{name: arr_usd," in x)
    yml.write_text(text.replace(line, ""))
    git("commit", "-am", "drop arr_usd from fct_revenue_monthly, no new version")
    with pytest.raises(WarehouseError, match="arr_usd"):
        breaking(repo)


def test_every_source_table_has_freshness_or_says_why_not(manifest: dict) -> None:
    """Freshness on every raw table, but where rows arrive only with rare events (refunds, deal or pay changes):
    those say why in meta.freshness_exempt, and another table of the same source is checked."""
    checked: dict[str, list[str]] = {}
    for source in manifest["sources"].values():
        freshness = source.get("freshness") or {}
        has_freshness = any((freshness.get(key) or {}).get("count") for key in ("warn_after", "error_after"))
        reason = str(((source.get("config") or {}).get("meta") or source.get("meta") or {}).get("freshness_exempt", ""))
        name = f"{source['source_name']}.{source['name']}"
        assert has_freshness != bool(reason.strip()), f"{name}: freshness or a freshness_exempt reason, not both"
        if has_freshness:
            checked.setdefault(source["source_name"], []).append(source["name"])
    sources = {source["source_name"] for source in manifest["sources"].values()}
    assert sources == set(checked), f"sources with no table checked for freshness: {sources - set(checked)}"
