"""A checkpoint's Dice on the phantom it trained on, by contrast phase: whether the network learnt each phase's organs.

    python benchmarks/accuracy/phantom_phases.py runs/cpu/best.pt
    python benchmarks/accuracy/phantom_phases.py runs/cpu/best.pt --json phases.json

The cases are the run's held-out ones (the validation and test cases of its record, `run.json`), read from the phantom
folder it trained on and scored by `abdoseg.evaluation.evaluate` as `real_ct.py` scores real scans (abdoseg-predict's
defaults). A real scan of one phase is only as well segmented as the phantom's cases of that phase are: the first
thing to look at when a whole phase fails on real CT (TS_s0009 is unenhanced).
"""
import argparse, json, sys
from pathlib import Path


def by_phase(checkpoint, device='auto'):
    "Rows of `evaluate` over the run's held-out phantom cases, each with its contrast phase."
    from abdoseg.checkpoint import load_model, read_run_record
    from abdoseg.datasets import find_cases
    from abdoseg.evaluation import evaluate, select_rows
    from abdoseg.phantom import phantom_phases
    run = read_run_record(checkpoint)
    phases = phantom_phases(run.data_dir) if run else None
    if not phases: sys.exit(f"phantom_phases.py: {checkpoint} was not trained on a phantom folder with its run record beside it")
    held_out = set(run.split['val']) | set(run.split['test'])
    model, ck = load_model(checkpoint, device)
    rows = select_rows(evaluate(ck, 'all', cases=[c for c in find_cases(run.data_dir) if c.name in held_out], model=model,
                                source='flare22', progress=False))
    return rows.assign(phase=rows.case.map(phases))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('checkpoint', help='an abdoseg checkpoint trained on the phantom, e.g. runs/cpu/best.pt')
    p.add_argument('--json', help='write the table to this file')
    p.add_argument('--device', default='auto')
    a = p.parse_args(argv)
    from abdoseg.core import ORGAN_NAMES
    from abdoseg.phantom import PHASE_NAMES
    rows = by_phase(a.checkpoint, a.device)
    table = rows.pivot_table(index='phase', columns='organ', values='dice', aggfunc='mean')
    table = table.reindex(index=[n for n in PHASE_NAMES if n in table.index], columns=ORGAN_NAMES)
    table['cases'] = rows.groupby('phase').case.nunique()
    print(f"{a.checkpoint}: Dice on its held-out phantom cases, by contrast phase")
    print(table.round(3).to_string())
    if a.json: Path(a.json).write_text(json.dumps(json.loads(table.round(4).to_json(orient='index')), indent=1))


if __name__ == '__main__':
    main()
