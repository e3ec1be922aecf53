"""The guides as the application and the wheel carry them: one copy of the Markdown in
``docs/``, shipped with the images it shows, rendered with raw HTML escaped; the « Aide »
page groups any catalogue by verdict.

The pages themselves are driven in Chromium by ``tests/web/test_web_help.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from zoning.errors import NotFoundError
from zoning.reasons import Entry
from zoning.web import guides
from zoning.web.routes.aide import by_verdict

REPO = Path(__file__).resolve().parents[1]


def _hatch_build() -> object:
    spec = importlib.util.spec_from_file_location("_zoning_hatch_build", REPO / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_wheel_carries_each_guide_and_every_image_it_shows() -> None:
    files: dict[str, str] = _hatch_build().guide_files(REPO)  # type: ignore[attr-defined]
    targets = set(files.values())
    for name in guides.GUIDES:
        assert f"zoning/_docs/{name}.md" in targets
        rendered = guides.guide(name).html
        for image in rendered.split('src="/aide/img/')[1:]:
            name_png = image.split('"')[0]
            assert f"zoning/_docs/img/{name_png}" in targets
    assert all(Path(source).is_file() for source in files)


def test_docs_folder_prefers_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert guides.docs_folder() == REPO / "docs"  # the checkout, read live
    packaged = tmp_path / "_docs"
    packaged.mkdir()
    (packaged / "guide-instructeur.md").write_text("# Guide de l'instructeur\n", encoding="utf-8")
    monkeypatch.setattr(guides, "_PACKAGED_DOCS", packaged)
    assert guides.docs_folder() == packaged


def test_markdown_is_rendered_with_raw_html_escaped_and_links_for_the_app() -> None:
    source = (
        "# Titre\n\n<script>alert(1)</script>\n\n## Lire « les » résultats\n\n"
        "[l'autre](guide-planificateur.md#simuler) [aide](/aide#CODE-X) "
        '![capture "x"](img/web-aide.png)\n\n| a | b |\n| - | - |\n| 1 | 2 |\n'
    )
    page = guides._render("guide-instructeur", source)
    assert "<script>" not in page.html and "&lt;script&gt;" in page.html
    assert page.title == "Titre"
    assert page.sections == (("lire-les-resultats", "Lire « les » résultats"),)
    assert 'href="/aide/guide-planificateur#simuler"' in page.html
    assert 'href="/aide#CODE-X"' in page.html
    assert 'src="/aide/img/web-aide.png"' in page.html and "&quot;x&quot;" in page.html
    assert '<div class="fr-table">' in page.html


@pytest.mark.parametrize("name", ["../pyproject.toml", "web-aide.PNG", "absente.png", "a/b.png"])
def test_only_images_of_docs_img_are_served(name: str) -> None:
    with pytest.raises(NotFoundError):
        guides.image(name)


def test_unknown_guide_is_a_404() -> None:
    with pytest.raises(NotFoundError) as caught:
        guides.guide("guide-inconnu")
    assert caught.value.http_status == 404


def test_help_groups_any_catalogue_by_verdict() -> None:
    def entry(code: str, verdict: str) -> Entry:
        return Entry(code, "titre", verdict, "sens", "", ())

    entries = [
        entry("ZON-B", "non éligible"),
        entry("ORDRE-A", "à vérifier"),
        entry("NEUF-C", "nouveau verdict"),
        entry("ZON-D", "à vérifier"),
    ]
    groups = by_verdict(entries)
    assert [(g["verdict"], [e.code for e in g["entries"]]) for g in groups] == [
        ("à vérifier", ["ORDRE-A", "ZON-D"]),
        ("non éligible", ["ZON-B"]),
        ("nouveau verdict", ["NEUF-C"]),
    ]
    assert groups[0]["id"] == "verdict-a-verifier"
    assert by_verdict([]) == []


def test_catalogue_text_shows_its_commands_as_code_and_nothing_else_as_markup() -> None:
    from zoning.web.templating import TEMPLATES

    shown = TEMPLATES.env.filters["codes"]("Relancez `zoning batch -p X` <b>ici</b> & là")
    assert str(shown) == "Relancez <code>zoning batch -p X</code> &lt;b&gt;ici&lt;/b&gt; &amp; là"
