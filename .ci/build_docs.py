"""Build the documentation site from the notebooks, offline: nbs/*.ipynb -> _proc/ (nbdev's directives applied) -> _docs/ (Sphinx, MyST-NB).

The notebooks keep their demo cells' outputs, so nothing is executed here. Per notebook, as nbdev's own processing does:
cells marked `hide`, `default_exp`, `export` or `exporti` leave the page, and after each `export` cell comes the API
documentation (nbdev's `show_doc`, with the docments) of each public function and class it defines. Links to files of
the repository that are not pages become links to the code host. Sphinx with MyST-NB then renders the processed
notebooks with their stored outputs, and furo's sidebar lists them in notebook order. See nbs/development.ipynb.
"""
import ast, copy, importlib, json, re, shutil, subprocess, sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, PROC, DOCS = ROOT / 'nbs', ROOT / '_proc', ROOT / '_docs'
CFG = ConfigParser(delimiters=['=']); CFG.read(ROOT / 'settings.ini'); CFG = CFG['DEFAULT']
HIDDEN = {'hide', 'default_exp', 'export', 'exporti'}

def notebooks() -> list[Path]:
    "The pages of the site: the index, the numbered notebooks in order, the others, then the experiments (tests/ stays out)."
    nbs = sorted(NBS.glob('*.ipynb'))
    return [NBS / 'index.ipynb'] + [p for p in nbs if p.name != 'index.ipynb'] + sorted(NBS.glob('experiments/*.ipynb'))

def page(path: Path) -> str: return path.relative_to(NBS).with_suffix('').as_posix()

def directives(source: str) -> tuple[set, str]:
    "A cell's `#|` directives (their first words) and its source without them."
    lines = source.splitlines(keepends=True)
    head = [l for l in lines if l.startswith('#|')]
    return {l[2:].split()[0] for l in head if l[2:].split()}, ''.join(l for l in lines if not l.startswith('#|'))

def defined_names(source: str) -> list[str]:
    "Public functions and classes a cell defines (`Class.method` for fastcore's `@patch`)."
    names = []
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name.startswith('_'): continue
        patched = [d for d in node.decorator_list if 'patch' in ast.unparse(d)]
        if patched and node.args.args and node.args.args[0].annotation is not None:
            names.append(f"{ast.unparse(node.args.args[0].annotation)}.{node.name}")
        else: names.append(node.name)
    return names

def api_doc(module, name: str) -> str:
    "nbdev's show_doc of `module.name` as markdown (the docstring as written, the docments in the signature)."
    from nbdev.showdoc import show_doc
    obj = module
    for part in name.split('.'): obj = getattr(obj, part)
    obj = getattr(obj, 'fget', obj)
    from abdoseg.core import DOCMENTS_SECTION
    doc = obj.__doc__
    if doc and DOCMENTS_SECTION in doc: obj.__doc__ = doc.split(DOCMENTS_SECTION)[0]      # the signature shows the docments
    try: md = show_doc(obj, name=name, title_level=3)._repr_markdown_()
    finally: obj.__doc__ = doc
    lines = [l for l in md.splitlines() if not l.startswith('[source]')]            # a link to a code host that may not exist
    return '\n'.join(lines).strip().removeprefix('---').strip()

def repo_links(text: str, pages: set, folder: Path) -> str:
    "Links to files of the repository that are not pages of the site (from `folder`, else the root), pointed at the code host."
    def fix(m):
        target = m.group(2)
        file = target.split('#')[0]
        if re.match(r'[a-z]+:|#|/', target) or file.startswith('images/'): return m.group(0)
        here = (folder / file).resolve()
        if here.is_relative_to(NBS / 'images'): return m.group(0)             # the site's pictures, from a page in a subfolder
        if here.suffix == '.ipynb' and here.is_relative_to(NBS) and page(here) in pages: return m.group(0)
        path = next((p for p in (folder / file, ROOT / file) if p.exists()), folder / file).resolve()
        try: rel = path.relative_to(ROOT)
        except ValueError: return m.group(1)                              # outside the repository: the text alone
        return f"{m.group(1)}({CFG['git_url']}/blob/{CFG['branch']}/{rel.as_posix()})"
    return re.sub(r'(\[[^\]]*\])\(([^)\s]+)\)', fix, text)

def process(path: Path, pages: set) -> dict:
    "A notebook as its page: hidden and exported cells out, each export's API documentation in."
    nb = json.loads(path.read_text())
    module = None
    cells = []
    for cell in nb['cells']:
        source = ''.join(cell['source'])
        found, rest = directives(source)
        if 'default_exp' in found: module = importlib.import_module(f"{CFG['lib_name']}.{source.split('default_exp')[1].split()[0]}")
        if found & HIDDEN:
            if 'export' in found and 'hide' not in found and module is not None:
                cells += [markdown(api_doc(module, n), f"{cell['id']}-{i}") for i, n in enumerate(defined_names(rest))]
            continue
        cell = copy.deepcopy(cell); cell['source'] = rest
        if cell['cell_type'] == 'markdown': cell['source'] = repo_links(rest, pages, path.parent)
        cells.append(cell)
    nb['cells'] = cells
    return nb

def markdown(text: str, cell_id: str) -> dict: return dict(cell_type='markdown', id=cell_id, metadata={}, source=text)

def toctree(pages: list[str]) -> dict:
    return markdown('```{toctree}\n:hidden:\n:maxdepth: 1\n\n' + '\n'.join(pages) + '\n```', 'toctree')

def main():
    shutil.rmtree(PROC, ignore_errors=True); PROC.mkdir()
    paths = notebooks()
    pages = [page(p) for p in paths]
    for p in paths:
        nb = process(p, set(pages))
        if p.stem == 'index': nb['cells'].append(toctree(pages[1:]))
        (PROC / page(p)).parent.mkdir(parents=True, exist_ok=True)
        (PROC / f'{page(p)}.ipynb').write_text(json.dumps(nb, indent=1))
    shutil.copytree(NBS / 'images', PROC / 'images')
    shutil.rmtree(DOCS, ignore_errors=True)
    r = subprocess.run([sys.executable, '-m', 'sphinx', '-b', 'html', '-q', '-c', str(ROOT / '.ci' / 'sphinx'), str(PROC), str(DOCS)])
    shutil.rmtree(ROOT / 'jupyter_execute', ignore_errors=True)             # MyST-NB's copies of the notebooks, beside _docs/
    if r.returncode: sys.exit(r.returncode)
    print(f"docs: {len(pages)} pages in {DOCS.relative_to(ROOT)}/ (open {DOCS.relative_to(ROOT)}/index.html)")

if __name__ == '__main__': main()
