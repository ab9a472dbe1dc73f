"""The documentation site as a reader's browser sees it: headless Chromium opens every page of _docs/ served on localhost.

Checks that each notebook has its page, that every picture on every page loads (decoded, not just linked), and that
every link within the site resolves (the page exists and, for a #fragment, the element it names); links off the site
are counted, not followed (no network here). Keeps a screenshot of the front page and of one API page in
_docs/_screenshots/. Exits 1 naming each problem."""
import functools, http.server, sys, threading
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

ROOT = Path(__file__).resolve().parents[1]
DOCS, NBS = ROOT / '_docs', ROOT / 'nbs'
CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

def serve(folder: Path) -> str:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f'http://127.0.0.1:{server.server_port}/'

PAGE_FACTS = """() => ({
  images: [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id)})"""

def main():
    from playwright.sync_api import sync_playwright
    expected = ['index'] + sorted(p.stem for p in NBS.glob('*.ipynb') if p.stem != 'index') + \
               sorted(f'experiments/{p.stem}' for p in NBS.glob('experiments/*.ipynb'))
    problems = [f"no page for nbs/{n}.ipynb" for n in expected if not (DOCS / f'{n}.html').exists()]
    base, shots = serve(DOCS), DOCS / '_screenshots'
    shots.mkdir(exist_ok=True)
    facts, external, n_images = {}, set(), 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=dict(width=1280, height=900))
        page.route(lambda url: not url.startswith(base), lambda route: route.abort())     # nothing leaves the machine
        for name in expected:
            if not (DOCS / f'{name}.html').exists(): continue
            url = urljoin(base, f'{name}.html')
            response = page.goto(url, wait_until='load')
            if not response or not response.ok: problems.append(f"{name}.html: HTTP {response.status if response else 'no answer'}"); continue
            page.wait_for_load_state('networkidle')
            f = facts[url] = page.evaluate(PAGE_FACTS)
            n_images += len(f['images'])
            problems += [f"{name}.html: the picture {i['src']} does not load" for i in f['images'] if not i['ok']]
            if name in ('index', '04b_checkpoint'): page.screenshot(path=str(shots / f'{name}.png'), full_page=False)
        links = {l for f in facts.values() for l in f['links']}
        for link in sorted(links):
            if not link.startswith(base): external.add(link); continue
            target, fragment = urldefrag(link)
            if target not in facts:
                if not target.endswith('.html'):                                         # a file: it must exist
                    if not (DOCS / urlparse(target).path.lstrip('/')).exists(): problems.append(f"broken link {link}")
                    continue
                response = page.goto(target)
                if not response or not response.ok: problems.append(f"broken link {link}"); continue
                facts[target] = page.evaluate(PAGE_FACTS)
            if fragment and fragment not in facts[target]['ids']: problems.append(f"broken link {link}: no #{fragment} there")
        browser.close()
    print(f"docs in Chromium: {len(expected)} notebook pages, {n_images} pictures, {len(links) - len(external)} links within the site "
          f"checked, {len(external)} off the site not followed; screenshots in {shots.relative_to(ROOT)}/")
    for p in problems: print('  -', p)
    sys.exit(1 if problems else 0)

if __name__ == '__main__': main()
