"""The FLARE22 preset's training step on a GPU, and whether the data pipeline keeps the GPU busy.

Writes a few FLARE22-size phantom cases (512 x 512 in plane), trains the `flare22` preset (1.5 mm, 128^3
patches, width 16, batch 2, bf16, channels_last_3d) for a short epoch, and reads back from the run's
metrics the time per step and the share of it spent waiting for data (goal: under 10%).

    python benchmarks/flare22_step.py [--cases 6] [--iters 40]
"""
import argparse, csv, tempfile
from pathlib import Path


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--cases', type=int, default=6); p.add_argument('--iters', type=int, default=40)
    p.add_argument('--device', default='auto')
    a = p.parse_args()
    from abdoseg.phantom import write_phantom
    from abdoseg.train import TrainConfig, train
    tmp = Path(tempfile.mkdtemp())
    write_phantom(tmp / 'data', a.cases, seed=0, size='flare22', progress=False)
    for iters in (5, a.iters):      # the first, short run warms up cuDNN's autotuner and the cache
        m = train(TrainConfig(data_dir=str(tmp / 'data'), preset='flare22', epochs=1, iters_per_epoch=iters, device=a.device,
                              out_dir=str(tmp / f'run{iters}'), cache_dir=str(tmp / 'cache'), split=(4, 1, 1), progress=False),
                  log=print)
    row = list(csv.DictReader(open(tmp / f'run{a.iters}' / 'metrics.csv')))[-1]
    print(f"flare22 preset on {row['device']}: {float(row['step_seconds']) * 1000:.0f} ms per step (batch 2 x 128^3, data, "
          f"augmentation on the GPU, forward, backward, AdamW); waiting for data {float(row['data_wait_fraction']):.1%} of the step")


if __name__ == '__main__':
    main()
