"""Training on FLARE22-size cases: the step time, the share of it spent waiting for data, and the peak memory.

Writes a few FLARE22-size phantom cases (512 x 512 in plane), trains a preset for one epoch, and reads back
from the run's metrics the time per step and the share of it spent waiting for data (goal: under 10%).

    python benchmarks/speed/flare22_step.py [--cases 6] [--iters 40]        # GPU: the flare22 preset (1.5 mm, 2 x 128^3, width 16)
    python benchmarks/speed/flare22_step.py --preset cpu --device cpu --iters 50   # this CPU: one whole epoch of the cpu preset
"""
import argparse, csv, resource, tempfile, time
from pathlib import Path


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--cases', type=int, default=6); p.add_argument('--iters', type=int, default=40)
    p.add_argument('--device', default='auto'); p.add_argument('--preset', default='flare22')
    a = p.parse_args()
    from abdoseg.phantom import write_phantom
    from abdoseg.train import TrainConfig, train
    tmp = Path(tempfile.mkdtemp())
    t = time.time()
    write_phantom(tmp / 'data', a.cases, seed=0, size='flare22', progress=False)
    print(f"{a.cases} FLARE22-size phantom cases written in {time.time() - t:.0f} s")
    warm_up = (5,) if a.device != 'cpu' else ()     # a short first run warms up cuDNN's autotuner and the cache
    for iters in (*warm_up, a.iters):
        t = time.time()
        train(TrainConfig(data_dir=str(tmp / 'data'), preset=a.preset, epochs=1, iters_per_epoch=iters, device=a.device,
                          out_dir=str(tmp / f'run{iters}'), cache_dir=str(tmp / 'cache'), split=(4, 1, 1), progress=False), log=print)
        print(f"one epoch of {iters} iterations, preprocessing included: {time.time() - t:.0f} s")
    row = list(csv.DictReader(open(tmp / f'run{a.iters}' / 'metrics.csv')))[-1]
    peak = max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 2 ** 20
    print(f"{a.preset} preset on {row['device']}: {float(row['step_seconds']) * 1000:.0f} ms per step (data, augmentation, forward, "
          f"backward, AdamW); waiting for data {float(row['data_wait_fraction']):.1%} of the step; peak memory of one process {peak:.1f} GB")


if __name__ == '__main__':
    main()
