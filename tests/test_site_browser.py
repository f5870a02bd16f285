"""The documentation site, opened in a real browser (headless Chromium driven by Playwright).

Serves the built site over HTTP, opens the home page, a tutorial (im2col) and an API page
(minidl.nn), and checks that every picture loaded (naturalWidth > 0), that the code blocks are
highlighted (Pygments' token spans), and that searching "Conv2d" offers the Conv2d entry of the
API page.  Screenshots go to <site>/screenshots/ (kept by CI as artifacts).

Marked ``browser`` and ``slow`` (it builds the site unless MINIDL_SITE_DIR names a built one):
    mkdocs build --strict && MINIDL_SITE_DIR=site python -m pytest -m browser tests/test_site_browser.py
Skipped when Playwright or a Chromium is missing (pip install playwright; then
``python -m playwright install chromium``, or the distribution's chromium package).
"""
import functools
import http.server
import os
import pathlib
import shutil
import subprocess
import sys
import threading
from urllib.parse import urljoin

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    given = os.environ.get("MINIDL_SITE_DIR")
    if given:
        site = pathlib.Path(given).resolve()
        if not (site / "index.html").exists():
            pytest.fail(f"MINIDL_SITE_DIR={given} holds no built site (run mkdocs build first)")
        return site
    pytest.importorskip("mkdocs")
    site = tmp_path_factory.mktemp("site")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)], cwd=ROOT,
                   env=env, check=True)
    return site


@pytest.fixture(scope="module")
def base_url(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch()  # Playwright's own Chromium, when installed
        except playwright_api.Error:
            executable = next(filter(None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])), None)
            if executable is None:
                pytest.skip("no Chromium: python -m playwright install chromium, or apt-get install chromium")
            launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors: {errors}"


def _open(page, url):
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else 'no response'}"


def _images(page):
    """(src, naturalWidth) of every <img> on the page, after each has finished loading."""
    page.wait_for_function("Array.from(document.images).every(image => image.complete)")
    return page.eval_on_selector_all("img", "images => images.map(image => [image.src, image.naturalWidth])")


def _highlighted_tokens(page):
    """Pygments' token spans (keywords, names, numbers...) inside the code blocks."""
    return page.eval_on_selector_all(".highlight code span[class]", "spans => spans.length")


def _screenshot(page, site_dir, name):
    folder = site_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=False)
    assert (folder / name).stat().st_size > 10_000  # a blank page compresses to a few kB


def test_home_page(page, base_url, site_dir):
    _open(page, base_url)
    assert "minidl" in page.title()
    assert all(width > 0 for _, width in _images(page))
    assert _highlighted_tokens(page) > 20  # the short tour's Python block
    assert page.locator("nav.md-nav a[href*='im2col']").count() > 0  # the tutorials in the navigation
    _screenshot(page, site_dir, "home.png")


def test_im2col_tutorial_shows_its_picture(page, base_url, site_dir):
    _open(page, base_url + "im2col/")
    images = _images(page)
    assert any(src.endswith("figures/im2col.png") for src, _ in images), images
    assert all(width > 0 for _, width in images), [src for src, width in images if not width]
    assert _highlighted_tokens(page) > 50
    notebook = page.request.get(urljoin(page.url, page.locator(".notebook-link a").get_attribute("href")))
    assert notebook.ok and notebook.json()["cells"]  # the page as a Jupyter notebook, next to it
    page.locator("img[src$='figures/im2col.png']").scroll_into_view_if_needed()
    _screenshot(page, site_dir, "im2col.png")


def test_pictures_page_loads_every_picture(page, base_url, site_dir):
    _open(page, base_url + "figures/")
    images = _images(page)
    assert len(images) >= 9 and all(width > 0 for _, width in images), images
    assert any(src.endswith("graph.svg") for src, _ in images)


def test_api_page_renders_docstrings(page, base_url, site_dir):
    _open(page, base_url + "api/nn/")
    heading = page.locator("[id='minidl.nn.Conv2d']")
    assert heading.count() == 1
    assert "(N, C_in, H, W)" in page.locator("body").inner_text()  # the docstring's shapes
    assert _highlighted_tokens(page) > 100  # the sources shown under each entry
    heading.scroll_into_view_if_needed()
    _screenshot(page, site_dir, "api_nn.png")


def test_search_finds_conv2d(page, base_url, site_dir):
    _open(page, base_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("Conv2d", delay=50)  # key events, as a person types
    result = page.locator(".md-search-result__item a[href*='api/nn/'][href$='#minidl.nn.Conv2d']")
    result.first.wait_for(state="attached", timeout=15_000)
    _screenshot(page, site_dir, "search.png")
    _open(page, result.first.get_attribute("href"))
    assert page.url.endswith("#minidl.nn.Conv2d") and page.locator("[id='minidl.nn.Conv2d']").is_visible()
