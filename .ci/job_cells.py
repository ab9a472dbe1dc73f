"""Where a papermill run's time went: the training cell (the one that calls `train(`) against all the others, from the
durations papermill stores in the output notebook. A job notebook runs its job and its report; this shows that the
rest is small. Prints; never fails on a time."""
import json, sys

nb = json.load(open(sys.argv[1]))
cells = [(''.join(c['source']), c.get('metadata', {}).get('papermill', {}).get('duration') or 0.) for c in nb['cells'] if c['cell_type'] == 'code']
job = sum(d for s, d in cells if 'train(cfg' in s)
print(f"{sys.argv[1]}: the training cell {job:.0f} s, the {len(cells) - 1} other cells {sum(d for _, d in cells) - job:.1f} s together")
