"""The main job's recipe under several training seeds, each judged on real CT: how far a change moves the real-CT
Dice beyond the seed-to-seed spread.

    python benchmarks/accuracy/real_ct_seeds.py                               # seeds 0 and 1, the cpu preset, 96 phantom cases
    python benchmarks/accuracy/real_ct_seeds.py --iters-per-epoch 80          # the same with another training setting
    python benchmarks/accuracy/real_ct_seeds.py --seeds 0 1 2 --out /tmp/seeds
    python benchmarks/accuracy/real_ct_seeds.py --seeds 0 1 2 --real-anatomy 0.25   # a phantom with a quarter of real anatomy
    python benchmarks/accuracy/real_ct_seeds.py --seeds 0 1 2 --trial benchmarks/accuracy/trials/narrowed_views.diff

Writes the phantom once (`OUT/phantom`), then trains one run per seed (`OUT/seedS`) with `abdoseg-train`, all at
once, one thread each (on a 2-core machine two runs side by side take about 1.4 times one run on both cores), and
measures each best checkpoint with `real_ct.py` (its JSON beside the runs, `OUT/seedS_real_ct.json`). One thread a run is not the main job's two-thread
arithmetic, so a seed here does not repeat the main job's checkpoint bit for bit: compare settings run here, side
by side. Extra arguments go to `abdoseg-train`. `--trial PATCH` runs everything (phantom, training, measurement) with
a copy of the package that has the patch applied (`OUT/code`; the patches of measured generator changes are in
`trials/`), and the results file names the patch. The last line is the mean Dice over seeds, organs and cases.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def real_ct(checkpoint, data_dirs, result, views=False, env=None):
    """Per-organ mean Dice, the overall mean and each case's mean of one checkpoint, measured by real_ct.py into the
    JSON file `result`; with `views`, also the mean of each of real_ct.py's narrower views."""
    subprocess.run([sys.executable, str(HERE / 'real_ct.py'), str(checkpoint), *map(str, data_dirs), '--json', str(result),
                    *(['--views'] if views else [])], capture_output=True, text=True, check=True, env=env)
    r = json.loads(Path(result).read_text())
    return {o: m['dice'] for o, m in r['organs'].items()}, r['mean'], case_means(r['rows']), {v: m['mean'] for v, m in r.get('views', {}).items()}


def case_means(rows) -> dict:
    "Each case's mean Dice over its labelled organs, from real_ct.py's rows (those reported apart too; not the views' cut cases)."
    cases = {}
    for r in rows:
        if r['dice'] is not None and '+' not in r['case']: cases.setdefault(r['case'], []).append(r['dice'])
    return {c: round(sum(d) / len(d), 4) for c, d in cases.items()}


def patched_package(patch, folder) -> Path:
    "A copy of the package under `folder` with `patch` (paths a/abdoseg/...) applied: `folder` is then where runs import abdoseg from."
    import shutil
    if not shutil.which('patch'): sys.exit("real_ct_seeds.py: --trial needs the `patch` program")
    shutil.rmtree(folder / 'abdoseg', ignore_errors=True)
    shutil.copytree(HERE.parent.parent / 'abdoseg', folder / 'abdoseg', ignore=shutil.ignore_patterns('__pycache__'))
    r = subprocess.run(['patch', '-p1', '--forward', '-d', str(folder), '-i', str(Path(patch).resolve())], capture_output=True, text=True)
    if r.returncode: sys.exit(f"real_ct_seeds.py: {patch} does not apply to this package:\n{r.stdout}{r.stderr}")
    return folder


def trial_name(patch) -> str:
    "How a results file names a trial patch: relative to this folder when it lies here (trials/NAME.diff)."
    path = Path(patch).resolve()
    return str(path.relative_to(HERE)) if path.is_relative_to(HERE) else str(patch)


def check_same_trial(out, patch):
    """Refuse a working folder whose phantom another trial (or none) made: its cases would be kept and silently reused.
    A new folder is marked with the trial it serves (`OUT/trial`, empty for none)."""
    marker, name = out / 'trial', trial_name(patch) if patch else ''
    made = marker.read_text() if marker.exists() else ('' if (out / 'phantom').exists() else None)
    if made is not None and made != name:
        sys.exit(f"real_ct_seeds.py: {out} holds a phantom made {f'with {made}' if made else 'without a trial'}; choose another --out")
    marker.write_text(name)


def main(argv=None):
    from abdoseg.phantom import phantom_real_anatomies
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    p.add_argument('--cases', type=int, default=96, help='phantom cases (the main job: 96)')
    p.add_argument('--out', help='working folder (default: a new temporary folder, kept)')
    p.add_argument('--real', nargs='*', default=[], help="labelled real folders (default: real_ct.py's, every shared real case)")
    p.add_argument('--real-anatomy', type=float, default=0., help="the phantom's share of cases drawn from the shipped real anatomies (label maps) of training")
    p.add_argument('--wide', type=float, default=0., help="the phantom's share of cases painted with the wide appearance")
    p.add_argument('--json', help='write every seed\'s figures here (default: OUT/seeds.json)')
    p.add_argument('--trial', help='a patch to the package (trials/NAME.diff) to run the seeds with')
    p.add_argument('--views', action='store_true', help="also measure real_ct.py's narrower views of each case (a scan that starts below the dome, a narrow field of view)")
    a, train_args = p.parse_known_args(argv)
    out = Path(a.out or tempfile.mkdtemp(prefix='abdoseg-seeds-'))
    out.mkdir(parents=True, exist_ok=True)
    bin_ = Path(sys.executable).parent
    check_same_trial(out, a.trial)
    code = {'PYTHONPATH': str(patched_package(a.trial, out / 'code'))} if a.trial else {}
    subprocess.run([bin_ / 'abdoseg-phantom', out / 'phantom', '--cases', str(a.cases), '--real-anatomy', str(a.real_anatomy), '--wide', str(a.wide), '--workers', str(os.cpu_count() or 1), '--no-progress'],
                   check=True, env={**os.environ, **code})
    env = {**os.environ, 'OMP_NUM_THREADS': '1', **code}
    t = time.perf_counter()
    runs = {s: subprocess.Popen([bin_ / 'abdoseg-train', '--data-dir', out / 'phantom', '--out-dir', out / f'seed{s}',
                                 '--cache-dir', out / f'cache{s}', '--seed', str(s), '--no-progress', '--overwrite',
                                 *train_args], env=env, stdout=open(out / f'seed{s}.log', 'w'), stderr=subprocess.STDOUT)
            for s in a.seeds}
    for s, r in runs.items():
        if r.wait(): sys.exit(f"real_ct_seeds.py: training seed {s} failed; see {out / f'seed{s}.log'}")
    print(f"{len(runs)} runs side by side in {time.perf_counter() - t:.0f} s; {' '.join(train_args) or 'the cpu preset'}; {out}")
    means, seeds = [], {}
    for s in a.seeds:
        val = json.loads((out / f'seed{s}' / 'metrics.json').read_text())['val_dice']['mean']
        organs, mean, cases, views = real_ct(out / f'seed{s}' / 'best.pt', a.real, out / f'seed{s}_real_ct.json', a.views, {**os.environ, **code})
        means.append(mean); seeds[s] = dict(phantom_validation=val, real_ct=organs, mean=mean, cases=cases, **({'views': views} if views else {}))
        print(f"seed {s}: phantom validation {val}  real CT " + '  '.join(f'{k} {v:.3f}' for k, v in organs.items()) + f"  mean {mean:.4f}")
        print("        each case: " + '  '.join(f'{c} {m:.3f}' for c, m in cases.items()))
        if views: print("        each view: " + '  '.join(f'{v} {m:.3f}' for v, m in views.items()))
    Path(a.json or out / 'seeds.json').write_text(json.dumps(dict(**({'trial': trial_name(a.trial)} if a.trial else {}), train_args=train_args, cases=a.cases, real_anatomy=a.real_anatomy,
                                                                  real_anatomy_source=phantom_real_anatomies(out / 'phantom') or None, wide=a.wide, seeds=seeds,
                                                                  mean=sum(means) / len(means), low=min(means), high=max(means)), indent=1))
    print(f"mean real-CT Dice over {len(means)} seeds: {sum(means) / len(means):.4f} (from {min(means):.4f} to {max(means):.4f})")


if __name__ == '__main__':
    main()
