"""The main job's recipe under several training seeds, each judged on real CT: how far a change moves the real-CT
Dice beyond the seed-to-seed spread.

    python benchmarks/real_ct_seeds.py                               # seeds 0 and 1, the cpu preset, 96 phantom cases
    python benchmarks/real_ct_seeds.py --iters-per-epoch 80          # the same with another training setting
    python benchmarks/real_ct_seeds.py --seeds 0 1 2 --out /tmp/seeds

Writes the phantom once (`OUT/phantom`), then trains one run per seed (`OUT/seedS`) with `abdoseg-train`, all at
once, one thread each (on a 2-core machine two runs side by side take about 1.4 times one run on both cores), and
measures each best checkpoint with `benchmarks/real_ct.py`. One thread a run is not the main job's two-thread
arithmetic, so a seed here does not repeat the main job's checkpoint bit for bit: compare settings run here, side
by side. Extra arguments go to `abdoseg-train`. The last line is the mean Dice over seeds, organs and cases.
"""
import argparse, os, re, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def real_ct(checkpoint, data_dirs):
    "Per-organ mean Dice and the overall mean that real_ct.py prints for one checkpoint."
    from abdoseg.core import ORGAN_NAMES
    out = subprocess.run([sys.executable, str(HERE / 'real_ct.py'), str(checkpoint), *map(str, data_dirs)],
                         capture_output=True, text=True, check=True).stdout
    organs = dict(re.findall(rf"^\s+({'|'.join(ORGAN_NAMES)})\s+([0-9.]+)", out, re.M))
    return {k: float(v) for k, v in organs.items()}, float(out.strip().splitlines()[-1].split()[-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    p.add_argument('--cases', type=int, default=96, help='phantom cases (the main job: 96)')
    p.add_argument('--out', help='working folder (default: a new temporary folder, kept)')
    p.add_argument('--real', nargs='*', default=[], help='labelled real folders (default: shared/real/ircadb)')
    a, train_args = p.parse_known_args(argv)
    out = Path(a.out or tempfile.mkdtemp(prefix='abdoseg-seeds-'))
    out.mkdir(parents=True, exist_ok=True)
    bin_ = Path(sys.executable).parent
    subprocess.run([bin_ / 'abdoseg-phantom', out / 'phantom', '--cases', str(a.cases), '--no-progress'], check=True)
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    t = time.perf_counter()
    runs = {s: subprocess.Popen([bin_ / 'abdoseg-train', '--data-dir', out / 'phantom', '--out-dir', out / f'seed{s}',
                                 '--cache-dir', out / f'cache{s}', '--seed', str(s), '--no-progress', '--overwrite',
                                 *train_args], env=env, stdout=open(out / f'seed{s}.log', 'w'), stderr=subprocess.STDOUT)
            for s in a.seeds}
    for s, r in runs.items():
        if r.wait(): sys.exit(f"real_ct_seeds.py: training seed {s} failed; see {out / f'seed{s}.log'}")
    print(f"{len(runs)} runs side by side in {time.perf_counter() - t:.0f} s; {' '.join(train_args) or 'the cpu preset'}; {out}")
    means = []
    for s in a.seeds:
        val = re.search(r'best mean validation Dice ([0-9.]+)', (out / f'seed{s}.log').read_text()).group(1)
        organs, mean = real_ct(out / f'seed{s}' / 'best.pt', a.real)
        means.append(mean)
        print(f"seed {s}: phantom validation {val}  real CT " + '  '.join(f'{k} {v:.3f}' for k, v in organs.items()) + f"  mean {mean:.4f}")
    print(f"mean real-CT Dice over {len(means)} seeds: {sum(means) / len(means):.4f} (from {min(means):.4f} to {max(means):.4f})")


if __name__ == '__main__':
    main()
