"""Time to Dice: abdoseg's training pipeline against the pipeline MONAI's tutorials teach, same task, one run.

    python benchmarks/speed/time_to_dice.py --quick            # this CPU: the cpu preset's sizes, 15 epochs x 50 iterations
    python benchmarks/speed/time_to_dice.py --device cuda      # a GPU: the flare22 preset's sizes (1.5 mm, 2 x 128^3, width 16)

Both pipelines train on the same phantom cases with the same split, target spacing, patch size, batch size,
VNet width, optimizer (AdamW, the same learning rate and warm-up + cosine schedule), loss (Dice + CE, batch
Dice), epochs and iterations, and validate after every epoch by Gaussian sliding window (same overlap) with
Dice per organ on the validation cases at the target spacing.

MONAI's side is written as its 3D segmentation tutorials (spleen, BTCV) teach: LoadImaged, EnsureChannelFirstd,
Orientationd, Spacingd, ScaleIntensityRanged (-175..250 HU), CropForegroundd, a CacheDataset of the
deterministic part, RandCropByPosNegLabeld and random rotation/zoom and intensity transforms matching abdoseg's
preset, a DataLoader with workers, MONAI's VNet (its own blocks; at the preset's width where MONAI's class fixes
16, and without dropout, as abdoseg), MONAI's DiceCELoss, sliding_window_inference and DiceMetric.

Each pipeline runs in its own process (so peak memory is its own). The last line is the ratio of MONAI's time
to abdoseg's time to reach the same mean validation Dice.
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORMS = {  # the preset whose sizes both use, and epochs x iterations; both on the 24 cases of the small phantom
    'quick': dict(preset='cpu', device='cpu', epochs=15, iters=50),
    'cuda':  dict(preset='flare22', device='cuda', epochs=5, iters=100),
}
THRESHOLDS = (0.85, 0.90)


def task(form):
    "The shared task: data folder, split, and the preset's settings."
    from dataclasses import asdict
    from abdoseg.train import TrainConfig, find_data, phantom_dir
    from abdoseg.phantom import write_phantom
    from abdoseg.preprocessing import AugmentConfig
    f = FORMS[form]
    data = write_phantom(phantom_dir('small'), 24, seed=0, progress=False, replace_outdated=True)
    cfg = TrainConfig(preset=f['preset'], data_dir=str(data)).resolved()
    _, _, split = find_data(cfg)                    # the split train() reads for this folder
    return dict(data=str(data), split=split, spacing=cfg.spacing, patch=list(cfg.patch_size), batch=cfg.batch_size,
                width=cfg.base_channels, lr=cfg.lr, weight_decay=cfg.weight_decay, overlap=cfg.val_overlap,
                augment=asdict(AugmentConfig(**cfg.augment)), **f)


def peak_memory(device):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20   # GiB (Linux reports KiB)
    import torch
    gpu = torch.cuda.max_memory_allocated() / 2 ** 30 if device == 'cuda' else 0.
    return dict(peak_rss_gb=round(rss, 2), peak_gpu_gb=round(gpu, 2))


def run_abdoseg(t):
    from abdoseg.train import TrainConfig, train
    from abdoseg.core import ORGAN_NAMES
    tmp = Path(tempfile.mkdtemp())
    t0 = time.time()
    train(TrainConfig(preset=t['preset'], device=t['device'], epochs=t['epochs'], iters_per_epoch=t['iters'],
                          data_dir=t['data'],
                          cache_dir=str(tmp / 'cache'), out_dir=str(tmp / 'run'), progress=False), log=lambda *a: None)
    wall = time.time() - t0
    import csv, shutil
    keep = ROOT / 'benchmarks' / 'speed' / 'results' / f"time_to_dice_{t['preset']}_best.pt"      # for inference.py --checkpoint
    keep.parent.mkdir(parents=True, exist_ok=True); shutil.copy(tmp / 'run' / 'best.pt', keep)
    rows = list(csv.DictReader(open(tmp / 'run' / 'metrics.csv')))
    first = float(rows[0]['elapsed_seconds']) - float(rows[0]['epoch_seconds'])       # set-up: preprocessing, cache
    data = first + sum(float(r['data_wait_fraction']) * float(r['step_seconds']) * t['iters'] + float(r['augment_seconds']) for r in rows)
    model = sum(float(r['step_seconds']) * t['iters'] for r in rows) - sum(float(r['augment_seconds']) for r in rows)
    val = sum(float(r['val_seconds']) for r in rows)
    curve = [dict(epoch=int(r['epoch']), elapsed=float(r['elapsed_seconds']),
                  **{o: float(r[f'val_{o}']) for o in (*ORGAN_NAMES, 'mean')}) for r in rows]
    step_ms = 1000 * sum(float(r['step_seconds']) for r in rows) / len(rows)
    wait = sum(float(r['data_wait_fraction']) for r in rows) / len(rows)
    return dict(wall=wall, data_seconds=data, model_seconds=model, val_seconds=val, curve=curve, step_ms=step_ms,
                data_wait_pct=100 * wait, **peak_memory(t['device']))


def monai_vnet(width, n_classes):
    "MONAI's VNet at another width, from MONAI's own transitions (its class fixes 16), without dropout."
    import torch.nn as nn
    from monai.networks.nets.vnet import InputTransition, DownTransition, UpTransition, OutputTransition
    w, act = width, ('elu', {'inplace': True})

    class VNetW(nn.Module):
        def __init__(self):
            super().__init__()
            self.in_tr = InputTransition(3, 1, w, act)
            self.down1, self.down2 = DownTransition(3, w, 1, act), DownTransition(3, 2 * w, 2, act)
            self.down3, self.down4 = DownTransition(3, 4 * w, 3, act), DownTransition(3, 8 * w, 2, act)
            self.up4, self.up3 = UpTransition(3, 16 * w, 16 * w, 2, act), UpTransition(3, 16 * w, 8 * w, 2, act)
            self.up2, self.up1 = UpTransition(3, 8 * w, 4 * w, 1, act), UpTransition(3, 4 * w, 2 * w, 1, act)
            self.out_tr = OutputTransition(3, 2 * w, n_classes, act)

        def forward(self, x):   # MONAI's VNet.forward
            o16 = self.in_tr(x); o32 = self.down1(o16); o64 = self.down2(o32); o128 = self.down3(o64); o256 = self.down4(o128)
            x = self.up4(o256, o128); x = self.up3(x, o64); x = self.up2(x, o32); x = self.up1(x, o16)
            return self.out_tr(x)
    return VNetW()


def run_monai(t):
    import numpy as np, torch
    from monai.data import CacheDataset, DataLoader, decollate_batch
    from monai.inferers import sliding_window_inference
    from monai.losses import DiceCELoss
    from monai.metrics import DiceMetric
    from monai.transforms import (AsDiscrete, Compose, CropForegroundd, EnsureChannelFirstd, LoadImaged, MapLabelValued,
                                  Orientationd, RandAdjustContrastd, RandAffined, RandCropByPosNegLabeld, RandFlipd, RandGaussianNoised,
                                  RandScaleIntensityd, RandShiftIntensityd, ScaleIntensityRanged, Spacingd, SpatialPadd)
    from monai.utils import set_determinism
    from abdoseg.core import ORGAN_NAMES
    from abdoseg.train import lr_at
    set_determinism(seed=0)
    device, patch, keys, aug = torch.device(t['device']), t['patch'], ['image', 'label'], t['augment']
    files = lambda part: [dict(image=f"{t['data']}/images/{n}_0000.nii.gz", label=f"{t['data']}/labels/{n}.nii.gz") for n in t['split'][part]]
    flare22_to_abdoseg = dict(orig_labels=list(range(1, 14)), target_labels=[1, 2, 4] + [0] * 9 + [3])
    base = [LoadImaged(keys), EnsureChannelFirstd(keys), Orientationd(keys, axcodes='RAS'),
            Spacingd(keys, pixdim=(t['spacing'],) * 3, mode=('bilinear', 'nearest')),
            MapLabelValued('label', **flare22_to_abdoseg),
            ScaleIntensityRanged('image', a_min=-175, a_max=250, b_min=0., b_max=1., clip=True),
            CropForegroundd(keys, source_key='image')]
    rand = [SpatialPadd(keys, spatial_size=patch),
            RandCropByPosNegLabeld(keys, label_key='label', spatial_size=patch, pos=1, neg=1, num_samples=t['batch'], image_key='image', image_threshold=0),
            RandAffined(keys, prob=1.0, rotate_range=(np.deg2rad(aug['rotate_deg']),) * 3, scale_range=(aug['zoom'][1] - 1,) * 3,
                        mode=('bilinear', 'nearest'), padding_mode='border'),
            *[RandFlipd(keys, prob=pr, spatial_axis=ax) for ax, pr in enumerate(aug['flip_prob']) if pr > 0],   # no x flips in either preset
            RandGaussianNoised('image', prob=0.15, std=0.02), RandScaleIntensityd('image', factors=0.25, prob=0.15),
            RandShiftIntensityd('image', offsets=0.05, prob=0.15), RandAdjustContrastd('image', prob=0.15, gamma=(0.7, 1.5))]
    t0 = time.time()
    train_ds = CacheDataset(files('train'), Compose(base + rand), cache_rate=1.0, num_workers=2, progress=False)
    val_ds = CacheDataset(files('val'), Compose(base), cache_rate=1.0, num_workers=2, progress=False)
    workers = min(8, os.cpu_count() // 2) if device.type == 'cuda' else 2
    loader = DataLoader(train_ds, batch_size=1, shuffle=True, num_workers=workers, persistent_workers=True,
                        pin_memory=device.type == 'cuda')    # one case a step, `batch` crops from it (num_samples)
    val_loader = DataLoader(val_ds, batch_size=1, num_workers=0)
    set_up = time.time() - t0
    model = monai_vnet(t['width'], 5).to(device)
    if device.type == 'cuda': model = model.to(memory_format=torch.channels_last_3d)
    opt = torch.optim.AdamW(model.parameters(), lr=t['lr'], weight_decay=t['weight_decay'])
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True, batch=True)
    dice = DiceMetric(include_background=False, reduction='mean_batch', ignore_empty=True)
    post_pred, post_label = AsDiscrete(argmax=True, to_onehot=5), AsDiscrete(to_onehot=5)
    amp = dict(device_type=device.type, dtype=torch.bfloat16, enabled=device.type == 'cuda')
    total, it, data_s, model_s, val_s, curve = t['epochs'] * t['iters'], 0, set_up, 0., 0., []
    batches = iter(())
    for epoch in range(1, t['epochs'] + 1):
        model.train()
        for _ in range(t['iters']):
            td = time.time()
            try: b = next(batches)
            except StopIteration: batches = iter(loader); b = next(batches)
            x, y = b['image'].to(device, non_blocking=True), b['label'].to(device, non_blocking=True)
            if device.type == 'cuda': x = x.contiguous(memory_format=torch.channels_last_3d)
            tm = time.time(); data_s += tm - td
            for g in opt.param_groups: g['lr'] = lr_at(it, total, t['lr'])
            opt.zero_grad(set_to_none=True)
            with torch.autocast(**amp): loss = loss_fn(model(x), y)
            loss.backward(); opt.step(); it += 1
            if device.type == 'cuda': torch.cuda.synchronize()
            model_s += time.time() - tm
        tv = time.time(); model.eval()
        with torch.no_grad():
            for b in val_loader:
                x, y = b['image'].to(device), b['label'].to(device)
                with torch.autocast(**amp):
                    out = sliding_window_inference(x, patch, 4, model, overlap=t['overlap'], mode='gaussian')
                dice(y_pred=[post_pred(o) for o in decollate_batch(out.float())], y=[post_label(o) for o in decollate_batch(y)])
        per = dice.aggregate().cpu().numpy().tolist(); dice.reset()
        val_s += time.time() - tv
        r = dict(zip(ORGAN_NAMES, per)); r['mean'] = float(np.mean(per))
        curve.append(dict(epoch=epoch, elapsed=time.time() - t0, **r))
        print(f"  monai epoch {epoch}: mean Dice {r['mean']:.3f} at {curve[-1]['elapsed']:.0f} s", flush=True)
    loop = data_s - set_up + model_s
    return dict(wall=time.time() - t0, data_seconds=data_s, model_seconds=model_s, val_seconds=val_s, curve=curve,
                step_ms=1000 * loop / total, data_wait_pct=100 * (data_s - set_up) / loop, **peak_memory(t['device']))


def time_to(curve, dice):
    hit = [c['elapsed'] for c in curve if c['mean'] >= dice]
    return hit[0] if hit else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--quick', action='store_true', help='the CPU form (default when there is no --device cuda)')
    p.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    p.add_argument('--epochs', type=int, help='override the form\'s epochs'); p.add_argument('--iters', type=int, help='... and iterations an epoch')
    p.add_argument('--child', choices=['abdoseg', 'monai'], help=argparse.SUPPRESS)
    p.add_argument('--task', help=argparse.SUPPRESS); p.add_argument('--result', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        t = json.loads(Path(a.task).read_text())
        res = (run_abdoseg if a.child == 'abdoseg' else run_monai)(t)
        Path(a.result).write_text(json.dumps(res)); return
    form = 'cuda' if a.device == 'cuda' else 'quick'
    t = task(form)
    t.update({k: getattr(a, k) for k in ('epochs', 'iters') if getattr(a, k)})
    import torch
    card = torch.cuda.get_device_name() if form == 'cuda' else f'CPU, {os.cpu_count()} cores'
    print(f"time to Dice, {form} form on {card}: preset {t['preset']}, {len(t['split']['train'])} training / "
          f"{len(t['split']['val'])} validation phantom cases, {t['spacing']} mm, batch {t['batch']} x {'x'.join(map(str, t['patch']))}, "
          f"width {t['width']}, {t['epochs']} epochs x {t['iters']} iterations", flush=True)
    tmp = Path(tempfile.mkdtemp()); (tmp / 'task.json').write_text(json.dumps(t))
    results = {}
    for who in ('abdoseg', 'monai'):
        print(f"== {who}", flush=True)
        env = dict(os.environ, PYTHONPATH=f"{ROOT}:{os.environ.get('PYTHONPATH', '')}")
        subprocess.run([sys.executable, __file__, '--child', who, '--task', str(tmp / 'task.json'), '--result', str(tmp / f'{who}.json')],
                       check=True, env=env)
        results[who] = json.loads((tmp / f'{who}.json').read_text())
    organs = ('liver', 'right_kidney', 'left_kidney', 'spleen', 'mean')
    print('\nvalidation Dice per epoch (elapsed seconds since the start, data preparation included)')
    print(f"{'epoch':>5} | " + ' | '.join(f"{w:^44}" for w in results))
    print(f"{'':>5} | " + ' | '.join(f"{'s':>5} " + ' '.join(f'{o[:6]:>6}' for o in organs) for _ in results))
    for e in range(t['epochs']):
        print(f"{e + 1:>5} | " + ' | '.join(f"{r['curve'][e]['elapsed']:5.0f} " + ' '.join(f"{r['curve'][e][o]:6.3f}" for o in organs)
                                            for r in results.values()))
    print(f"\n{'':28}" + ''.join(f'{w:>12}' for w in results))
    for k, label in (('wall', 'wall time to the end (s)'), ('data_seconds', 'data pipeline (s)'), ('model_seconds', 'model steps (s)'),
                     ('val_seconds', 'validation (s)'), ('step_ms', 'training step (ms)'), ('data_wait_pct', 'waiting for data (% of step)'),
                     ('peak_rss_gb', 'peak host memory (GB)'), ('peak_gpu_gb', 'peak GPU memory (GB)')):
        print(f"{label:28}" + ''.join(f"{r[k]:12.1f}" if 'gb' not in k else f"{r[k]:12.2f}" for r in results.values()))
    best = {w: max(c['mean'] for c in r['curve']) for w, r in results.items()}
    print(f"{'best mean validation Dice':28}" + ''.join(f'{v:12.3f}' for v in best.values()))
    ratios = []
    for d in (*THRESHOLDS, round(min(best.values()) - 0.005, 3)):
        ta, tm = time_to(results['abdoseg']['curve'], d), time_to(results['monai']['curve'], d)
        fmt = lambda v: f'{v:12.0f}' if v is not None else f"{'not reached':>12}"
        print(f"{f'time to mean Dice {d:.3f} (s)':28}{fmt(ta)}{fmt(tm)}")
        if ta and tm: ratios.append((d, tm / ta))
    out = ROOT / 'benchmarks' / 'results'; out.mkdir(exist_ok=True)
    (out / f'time_to_dice_{form}.json').write_text(json.dumps(dict(task={k: v for k, v in t.items() if k != 'split'}, card=card, results=results), indent=1))
    if ratios:
        d, r = max(ratios)   # at the highest Dice both reached
        print(f"time to mean validation Dice {d:.3f}: MONAI / abdoseg = {r:.2f}x")
    else:
        print("time to Dice: no common Dice level reached by both")


if __name__ == '__main__':
    main()
