"""The README's tables of real-CT results, from the JSON files `real_ct.py --json` and `real_ct_seeds.py` write.

    python benchmarks/accuracy/tables.py                     # prints the tables of benchmarks/accuracy/results/*.json
    python benchmarks/accuracy/tables.py --write             # and puts them into benchmarks/accuracy/README.md

The README holds them between the markers `<!-- tables -->` and `<!-- /tables -->`; `--check` exits 1 when they are not
what the results say (CI).
"""
import argparse, json, shlex, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORGANS = ('liver', 'right_kidney', 'left_kidney', 'spleen')


def case_table(r: dict) -> str:
    "Dice per case and organ, the mean per organ, HD95 and volume error of one real_ct.py result."
    rows = ['| case | ' + ' | '.join(o.replace('_', ' ') for o in ORGANS) + ' | mean |', '| --- ' * (len(ORGANS) + 2) + '|']
    for case in dict.fromkeys(x['case'] for x in r['rows'] if '+' not in x['case']):      # CASE+VIEW rows: the views, below
        dice = {x['organ']: x['dice'] for x in r['rows'] if x['case'] == case}
        shown = [f"{dice[o]:.3f}" if dice.get(o) is not None else '-' for o in ORGANS]
        labelled = [dice[o] for o in ORGANS if dice.get(o) is not None]
        rows.append(f"| {case} | " + ' | '.join(shown) + f" | {sum(labelled) / len(labelled):.3f} |")
    rows.append('| mean Dice | ' + ' | '.join(f"**{r['organs'][o]['dice']:.3f}**" for o in ORGANS) + f" | **{r['mean']:.3f}** |")
    rows.append('| HD95 (mm) | ' + ' | '.join(f"{r['organs'][o]['hd95']:.1f}" for o in ORGANS) + ' | |')
    rows.append('| mean absolute volume error | ' + ' | '.join(f"{r['organs'][o]['abs_volume_error']:.0%}" for o in ORGANS) + ' | |')
    for v, m in r.get('views', {}).items():
        rows.append(f'| mean Dice, view `{v}` | ' + ' | '.join(_dice(m['organs'][o]['dice']) for o in ORGANS) + f" | {m['mean']:.3f} |")
    return '\n'.join(rows)


def _dice(d) -> str: return '-' if d is None or d != d else f'{d:.3f}'     # NaN: no case holds the organ


def seeds_table(r: dict) -> str:
    """Real-CT Dice per organ (over the cases measured) and each case's mean, of each training seed of one
    real_ct_seeds.py result; a case whose anatomy trained the seeds is marked and left out of the mean."""
    cases = list(dict.fromkeys(c for s in r['seeds'].values() for c in s['cases']))
    sources = r.get('real_anatomy_source') or []
    sources = [sources] if isinstance(sources, str) else sources      # older results name one anatomy
    apart = [c for c in cases if any(c.startswith(a) for a in sources)]
    views = list(dict.fromkeys(v for s in r['seeds'].values() for v in s.get('views', {})))
    head = ' | '.join(o.replace('_', ' ') for o in ORGANS) + ' | mean of the cases measured | ' + ' | '.join(c + (' (trained anatomy)' if c in apart else '') for c in cases)
    head += ''.join(f' | view `{v}`' for v in views)
    rows = [f'| seed | {head} | phantom validation |', '| --- ' * (len(ORGANS) + len(cases) + len(views) + 3) + '|']
    for seed, s in r['seeds'].items():
        rows.append(f"| {seed} | " + ' | '.join(f"{s['real_ct'][o]:.3f}" for o in ORGANS) + f" | {s['mean']:.3f} | "
                    + ' | '.join(f"{s['cases'][c]:.3f}" for c in cases) + ''.join(f" | {s['views'][v]:.3f}" for v in views)
                    + f" | {s['phantom_validation']:.3f} |")
    means = [sum(s['cases'][c] for s in r['seeds'].values()) / len(r['seeds']) for c in cases]
    means += [sum(s['views'][v] for s in r['seeds'].values()) / len(r['seeds']) for v in views]
    rows.append(f"| over {len(r['seeds'])} seed{'s' * (len(r['seeds']) > 1)} |" + ' |' * len(ORGANS) + f" **{r['mean']:.3f}** ({r['low']:.3f} to {r['high']:.3f}) | "
                + ' | '.join(f"{m:.3f}" for m in means) + ' | |')
    return '\n'.join(rows)


def phantom_options(r: dict) -> str:
    "What the seeds' phantom mixed in (real_ct_seeds.py's --real-anatomy and --wide), and the trial patch applied, if any."
    opts = [f"with `{r['trial']}` applied"] if r.get('trial') else []
    if r.get('real_anatomy'):
        src = r.get('real_anatomy_source') or 'TS_s0009'
        opts.append(f"real anatomy {r['real_anatomy']:g} " + (f"({src})" if isinstance(src, str) else f"(from {len(src)} label maps)"))
    if r.get('wide'): opts.append(f"wide appearance {r['wide']:g}")
    return ', '.join(opts) or 'the procedural phantom alone'


def train_options(args: list) -> str:
    "The training options the seeds ran with, as one would type them."
    return f"`{shlex.join(args)}`" if args else 'the cpu preset'


def tables(folder=HERE / 'results') -> str:
    out = []
    for f in sorted(Path(folder).glob('*.json')):
        r = json.loads(f.read_text())
        if 'seeds' in r: out += [f"#### `{f.name}`: {train_options(r['train_args'])}, {r['cases']} phantom cases, "
                                 f"{phantom_options(r)}", '', seeds_table(r), '']
        else:
            where = f" ({r['machine']['cpu']}, PyTorch {r['machine']['torch']})" if 'machine' in r else ''
            out += [f"#### `{f.name}`: `{Path(r['checkpoint']).as_posix()}` on {', '.join(Path(d).name for d in r['data_dirs'])}{where}"
                    f"{' (mirrored)' if r.get('mirror') else ''}, {r['seconds']:.0f} s", '', case_table(r), '']
    return '\n'.join(out).rstrip() + '\n'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--write', action='store_true'); p.add_argument('--check', action='store_true')
    a = p.parse_args(argv)
    readme, text = HERE / 'README.md', tables()
    head, rest = readme.read_text().split('<!-- tables -->\n', 1)
    body = head + '<!-- tables -->\n' + text + '<!-- /tables -->\n' + rest.split('<!-- /tables -->\n', 1)[1]
    if a.check:
        if body != readme.read_text(): print("benchmarks/accuracy/README.md's tables are not its results: run tables.py --write"); return 1
        print('accuracy tables: 1 passed, 0 failed'); return 0
    if a.write: readme.write_text(body)
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
