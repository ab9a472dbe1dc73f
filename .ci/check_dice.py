"""Fail (exit 1) when a training run's validation Dice falls below the bar: python .ci/check_dice.py METRICS.json --mean M --organ O."""
import argparse, json, sys

p = argparse.ArgumentParser()
p.add_argument('metrics'); p.add_argument('--mean', type=float, default=0.90); p.add_argument('--organ', type=float, default=0.85)
p.add_argument('--seconds', type=float, help='wall time of the job, reported')
a = p.parse_args()
m = json.load(open(a.metrics))
dice = m['val_dice']
print('validation Dice (best epoch %d): ' % m['best_epoch'] + ', '.join(f'{k} {v:.4f}' for k, v in dice.items()))
if a.seconds: print(f'main job: {a.seconds:.0f} s from start to metrics, of which training {m["wall_time_s"]:.0f} s')
low = {k: v for k, v in dice.items() if k != 'mean' and v < a.organ}
if dice['mean'] < a.mean or low:
    print(f'FAIL: mean {dice["mean"]:.4f} (bar {a.mean}), organs below {a.organ}: {low or "none"}')
    print('main-job: 0 passed, 1 failed'); sys.exit(1)
print(f'main job: mean Dice {dice["mean"]:.4f} >= {a.mean}, every organ >= {a.organ}')
print('main-job: 1 passed, 0 failed')
