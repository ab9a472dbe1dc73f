"""One training step (forward, Dice+CE loss, backward, AdamW) of abdoseg's VNet against MONAI's VNet, same width and input.

    python benchmarks/speed/train_step.py                      # CPU: batch 1 x 64^3
    python benchmarks/speed/train_step.py --device cuda        # GPU: batch 2 x 128^3

Each runs in fp32, and where the device has native bf16 (a GPU; a CPU with AVX512-BF16 or AMX) also with bf16
autocast and with bf16 + channels_last_3d. MONAI runs at its defaults (its VNet with batch norm, ELU and dropout;
torch.optim.AdamW; MONAI's DiceCELoss). A setting whose weights end non-finite is reported and not counted. abdoseg runs its own training step (its VNet at the
paper's design with batch norm, fused AdamW, its DiceCELoss), and is also timed with MONAI's convolution
counts (up_convs 2, 2, 1, 1) to separate the implementation from the paper's extra up-path work.
FLOPs come from PyTorch's FLOP counter; the fraction of the card's dense bf16 peak is printed on a GPU.
The last line is the ratio of MONAI's best time to abdoseg's (paper design).
"""
import argparse
import torch
from timing import timed, ratio

BF16_PEAK_TFLOPS = {'H100': 989.4, 'H200': 989.4, 'A100': 312.0, 'L40S': 362.1}


def make_step(kind, width, size, batch, device, bf16, channels_last, compile=False):
    from monai.losses import DiceCELoss as MonaiDiceCE
    from monai.networks.nets import VNet as MonaiVNet
    from abdoseg.loss import DiceCELoss
    from abdoseg.vnet import VNet
    torch.manual_seed(0)
    if kind == 'monai':
        model = MonaiVNet(spatial_dims=3, in_channels=1, out_channels=5)
        opt = torch.optim.AdamW(model.parameters(), 1e-4)
        loss_fn = MonaiDiceCE(softmax=True, to_onehot_y=True)
    else:
        up = (2, 2, 1, 1) if kind == 'abdoseg-monai-counts' else (3, 3, 2, 1)
        model = VNet(1, 5, width, norm='batch', up_convs=up)
        opt = torch.optim.AdamW(model.parameters(), 1e-4, fused=True)
        loss_fn = DiceCELoss()
    model = model.to(device)
    x = torch.randn(batch, 1, size, size, size, device=device)
    y = torch.randint(0, 5, (batch, 1, size, size, size), device=device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last_3d); x = x.contiguous(memory_format=torch.channels_last_3d)
    if compile: model = torch.compile(model)

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            out = model(x)
        loss = loss_fn(out.float(), y)
        loss.backward(); opt.step()
    return step, model, x


def flops_per_step(step_model_x):
    from torch.utils.flop_counter import FlopCounterMode
    _, model, x = step_model_x
    with FlopCounterMode(display=False) as fc:
        model(x).float().sum().backward()
    model.zero_grad(set_to_none=True)
    return fc.get_total_flops()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cpu'); p.add_argument('--width', type=int, default=16)
    p.add_argument('--size', type=int); p.add_argument('--batch', type=int); p.add_argument('--iters', type=int)
    p.add_argument('--compile', action='store_true', help='also time bf16 + channels_last + torch.compile (GPU)')
    a = p.parse_args()
    device = torch.device(a.device); gpu = device.type == 'cuda'
    size, batch, iters = a.size or (128 if gpu else 64), a.batch or (2 if gpu else 1), a.iters or (10 if gpu else 3)
    card = torch.cuda.get_device_name(device) if gpu else 'CPU'
    peak = next((v for k, v in BF16_PEAK_TFLOPS.items() if k in card), None)
    print(f"{card}: batch {batch} x {size}^3, width {a.width}, 5 classes, Dice+CE, AdamW; median of {iters} steps")
    from abdoseg.vnet import cpu_has_bf16
    bf16 = gpu or cpu_has_bf16()             # a CPU without native bf16 would emulate it, slower than float32
    settings = [('fp32', False, False, False)] + ([('bf16', True, False, False), ('bf16+channels_last', True, True, False)] if bf16 else [])
    if gpu and a.compile: settings.append(('bf16+cl+compile', True, True, True))
    results, flops = {}, {}
    for kind in ('monai', 'abdoseg', 'abdoseg-monai-counts'):
        for name, bf16, cl, comp in settings:
            s = make_step(kind, a.width, size, batch, device, bf16, cl, comp)
            if kind not in flops: flops[kind] = flops_per_step(s)
            fl = flops[kind]
            timing = timed(s[0], device, iters, warmup=2); t = timing.median
            finite = all(torch.isfinite(q).all() for q in s[1].parameters())
            if finite: results[(kind, name)] = (timing, fl)
            extra = f", {fl / t / 1e9:6.0f} GFLOP/s" + (f" = {fl / t / 1e12 / peak:.1%} of bf16 peak" if peak and bf16 else '')
            extra += '' if finite else '  NON-FINITE WEIGHTS: not counted'
            print(f"{kind:22s} {name:20s} {str(timing):>32s}/step  {fl / 1e12:.2f} TFLOP/step{extra}", flush=True)
            del s
            if gpu: torch.cuda.empty_cache()
    best = lambda kind: min((v[0] for k, v in results.items() if k[0] == kind), key=lambda t: t.median)
    print(f"abdoseg with MONAI's convolution counts: {ratio(best('monai'), best('abdoseg-monai-counts'))} MONAI's best")
    print(f"abdoseg/MONAI training-step speed ratio (best settings of each): {ratio(best('monai'), best('abdoseg'))}")


if __name__ == '__main__':
    main()
