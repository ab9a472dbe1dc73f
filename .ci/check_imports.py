"""abdoseg's imports flow one way, in notebook order: no module imports one that a later notebook exports.

Every `import` in a module counts, at the top or inside a function (an import hidden in a function is still a
dependency); a module importing its own functions (for worker processes) is not an edge. Prints the graph's edges, and exits 1 naming each edge against the order."""
import ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def notebook_order(nbs: Path) -> list[str]:
    "The modules the notebooks export, in the notebooks' (file name) order."
    order = []
    for nb in sorted(nbs.glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            if m := re.match(r'#\|\s*default_exp\s+(\S+)', ''.join(cell['source'])): order.append(m.group(1)); break
    return order

def imported_modules(source: str, package='abdoseg') -> set[str]:
    "The package's modules a module's source imports."
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1: found |= {node.module} if node.module else {a.name for a in node.names}
            elif node.module == package: found |= {a.name for a in node.names}
            elif node.module and node.module.startswith(package + '.'): found.add(node.module.split('.')[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split('.')[1] for a in node.names if a.name.startswith(package + '.')}
    return found

def edges_against_order(order: list[str], sources: dict) -> tuple[list, list]:
    "All edges (importer, imported) between the ordered modules, and those that point to a later one."
    rank = {m: i for i, m in enumerate(order)}
    edges = sorted((m, d) for m in order for d in imported_modules(sources[m]) if d in rank and d != m)
    return edges, [(m, d) for m, d in edges if rank[d] > rank[m]]

def self_test():
    "The check finds an edge against the order, and one hidden inside a function."
    order = ['a', 'b', 'c']
    sources = {'a': 'def f():\n    from .c import x\n', 'b': 'from abdoseg.a import y\n', 'c': 'import abdoseg.b\n'}
    assert edges_against_order(order, sources)[1] == [('a', 'c')], edges_against_order(order, sources)

if __name__ == '__main__':
    self_test()
    order = notebook_order(ROOT / 'nbs')
    sources = {m: (ROOT / 'abdoseg' / f'{m}.py').read_text() for m in order}
    edges, bad = edges_against_order(order, sources)
    print(f"imports: {len(order)} modules in notebook order ({' -> '.join(order)}), {len(edges)} edges")
    for m, d in bad: print(f"  {m} imports {d}, which comes later: move the shared code to an earlier notebook")
    sys.exit(1 if bad else 0)
