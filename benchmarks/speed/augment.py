"""Augmentation throughput: abdoseg's batched Augmenter against MONAI's dictionary transforms doing the same work.

Both get the same phantom crops (organ-balanced, cut by abdoseg's PatchSampler) and produce patches of
the same size with the same random rotation (about each axis) and zoom ranges, flips along y and z,
Gaussian noise, brightness, contrast and gamma, at the same probabilities. MONAI runs per sample, as its
transforms run inside a DataLoader; abdoseg runs a batch at a time.

    python benchmarks/speed/augment.py [--patch 64] [--batch 4] [--iters 20] [--device cpu|cuda]

The last line printed is the ratio of throughputs (abdoseg / MONAI, default probabilities).
"""
import argparse, tempfile
from pathlib import Path
import numpy as np
import torch
from timing import timed, ratio


def phantom_crops(crop, n, spacing=3.0, seed=0):
    from abdoseg.datasets import find_cases
    from abdoseg.phantom import write_phantom
    from abdoseg.preprocessing import Intensity, PatchSampler, preprocess_cases
    tmp = Path(tempfile.mkdtemp())
    cases = find_cases(write_phantom(tmp / 'ph', 4, seed=seed, progress=False))
    pps = preprocess_cases(cases, (spacing,) * 3, tmp / 'cache', progress=False)
    norm = Intensity.fit([p.image for p in pps], [p.label for p in pps])
    sampler = PatchSampler([norm(p.image) for p in pps], [p.label for p in pps], crop, shift=8, pad_value=norm.background, seed=seed)
    return sampler.sample(n)


def monai_pipeline(cfg, patch):
    from monai.transforms import (Compose, RandAffined, RandFlipd, RandGaussianNoised, RandScaleIntensityd,
                                  RandScaleIntensityFixedMeand, RandAdjustContrastd)
    th = np.deg2rad(cfg.rotate_deg); k = ('image', 'label'); z = cfg.zoom
    return Compose([
        RandAffined(k, prob=1.0, rotate_range=(th, th, th), scale_range=((z[0] - 1, z[1] - 1),) * 3,
                    spatial_size=(patch,) * 3, mode=('bilinear', 'nearest'), padding_mode='border'),
        RandFlipd(k, prob=cfg.flip_prob[1], spatial_axis=1), RandFlipd(k, prob=cfg.flip_prob[2], spatial_axis=2),
        RandGaussianNoised('image', prob=cfg.noise_prob, std=cfg.noise_std[1]),
        RandScaleIntensityd('image', factors=cfg.brightness[1] - 1, prob=cfg.brightness_prob),
        RandScaleIntensityFixedMeand('image', factors=cfg.contrast[1] - 1, prob=cfg.contrast_prob),
        RandAdjustContrastd('image', prob=cfg.gamma_prob, gamma=cfg.gamma),
    ])


def run(patch=64, batch=4, iters=20, device='cpu', all_on=False):
    from abdoseg.preprocessing import AugmentConfig, Augmenter
    device = torch.device(device)
    cfg = AugmentConfig()
    if all_on:
        cfg = AugmentConfig(flip_prob=(0, 1, 1), noise_prob=1, brightness_prob=1, contrast_prob=1, gamma_prob=1)
    img, lab = phantom_crops(cfg.crop_size(patch), batch)
    img, lab = img.to(device), lab.to(device)
    aug = Augmenter(cfg, patch, seed=0, device=device)
    monai = monai_pipeline(cfg, patch); monai.set_random_state(0)
    samples = [{'image': img[b], 'label': lab[b]} for b in range(batch)]
    t_ours = timed(lambda: aug(img, lab), device, iters)
    t_monai = timed(lambda: [monai(s) for s in samples], device, iters)
    return t_ours, t_monai


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--patch', type=int, default=64); p.add_argument('--batch', type=int, default=4)
    p.add_argument('--iters', type=int, default=20); p.add_argument('--device', default='cpu')
    a = p.parse_args()
    torch.manual_seed(0)
    print(f"device {a.device}, {torch.get_num_threads()} threads, batch {a.batch} x {a.patch}^3 patches")
    rows = {}
    for all_on in (True, False):
        t_ours, t_monai = run(a.patch, a.batch, a.iters, a.device, all_on)
        name = 'every augmentation on' if all_on else 'default probabilities'
        rows[name] = ratio(t_monai, t_ours)
        print(f"{name:22s} abdoseg {a.batch / t_ours.median:7.1f} patches/s, a batch {t_ours}   "
              f"MONAI {a.batch / t_monai.median:7.1f} patches/s, a batch {t_monai}   ratio {rows[name]}")
    print(f"abdoseg/MONAI augmentation throughput ratio: {rows['default probabilities']}")


if __name__ == '__main__':
    main()
