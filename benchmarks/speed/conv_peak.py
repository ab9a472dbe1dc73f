"""How far the VNet's convolutions are from this machine's limit, layer by layer, in float32 and bf16.

    python benchmarks/speed/conv_peak.py                  # CPU: the paper's VNet at width 16 on a 64^3 patch, batch 1
    python benchmarks/speed/conv_peak.py --device cuda    # GPU: batch 2 x 128^3

The reference is the rate of a large matrix product (what the vendor library does best). Each distinct 5^3
convolution of the network is timed alone, forward and backward (input and weight gradients), and its arithmetic
rate is given as a fraction of that reference ("vs mm"), counting only the multiply-adds that fall inside the
volume (the libraries skip the zero padding, two thirds of a 5^3 window at 4^3). The per-layer times, weighted by
how often each layer occurs, add up to the convolution time of one training step. On the CPU it also times the same convolutions by tiled FFT in float32
(overlap-save, 16^3 output tiles) where the volume is at least 32^3, the classic alternative for large kernels,
to show whether a different algorithm would pay here.
"""
import argparse, collections, math
import torch
from timing import timed
import torch.nn.functional as F


def median_seconds(fn, device, reps) -> float: return timed(fn, device, reps).median


def matmul_peak(device, dtype, n, reps):
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    return 2 * n ** 3 / median_seconds(lambda: a @ b, device, reps)


def fft_conv3d(x, w, tile=16):
    "'Same' 5^3 cross-correlation by overlap-save FFT on tiles; differentiable through PyTorch's FFT and matmul."
    B, C, D, H, W = x.shape
    O, k = w.shape[0], w.shape[-1]; p = k // 2; N = tile + k - 1
    n = [-(-s // tile) for s in (D, H, W)]
    pad = [q for s, m in zip((W, H, D), n[::-1]) for q in (p, m * tile - s + p)]
    t = F.pad(x, pad).unfold(2, N, tile).unfold(3, N, tile).unfold(4, N, tile).permute(5, 6, 7, 0, 2, 3, 4, 1)
    X = torch.fft.rfftn(t, dim=(0, 1, 2))                                   # N N M B nD nH nW C
    M = X.shape[2]; Fq = N * N * M
    X = torch.view_as_real(X).reshape(Fq, -1, C, 2).transpose(2, 3).reshape(Fq, -1, 2 * C)   # [Re | Im]
    Wf = torch.fft.rfftn(w.permute(2, 3, 4, 1, 0), s=(N, N, N), dim=(0, 1, 2)).reshape(Fq, C, O)
    Wr, Wi = Wf.real, -Wf.imag                                               # conjugate: correlation
    Y = torch.bmm(X, torch.cat([torch.cat([Wr, Wi], 2), torch.cat([-Wi, Wr], 2)], 1))
    Y = torch.complex(Y[..., :O], Y[..., O:]).reshape(N, N, M, B, *n, O)
    y = torch.fft.irfftn(Y, s=(N, N, N), dim=(0, 1, 2))[:tile, :tile, :tile]
    return y.permute(3, 7, 4, 0, 5, 1, 6, 2).reshape(B, O, *(m * tile for m in n))[:, :, :D, :H, :W]


def valid_taps(n, k=5):
    "Multiply-adds along one axis of a 'same' convolution that land inside the input (padding costs nothing)."
    return sum(min(i + k // 2, n - 1) - max(i - k // 2, 0) + 1 for i in range(n))


def conv_layers(width, size, batch):
    "Every 5^3 convolution of the paper's VNet: (input shape, out channels) -> how many times it occurs."
    from abdoseg.vnet import VNet
    seen = collections.Counter()
    model = VNet(1, 5, width).to('meta')
    hooks = [m.register_forward_hook(lambda m, i, o: seen.update([(tuple(i[0].shape), m.out_channels)]))
             for m in model.modules() if isinstance(m, torch.nn.Conv3d) and m.kernel_size == (5, 5, 5)]
    model(torch.zeros(batch, 1, size, size, size, device='meta'))
    for h in hooks: h.remove()
    return seen


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cpu'); p.add_argument('--width', type=int, default=16)
    p.add_argument('--size', type=int); p.add_argument('--batch', type=int); p.add_argument('--reps', type=int, default=3)
    a = p.parse_args()
    device = torch.device(a.device); gpu = device.type == 'cuda'
    size, batch = a.size or (128 if gpu else 64), a.batch or (2 if gpu else 1)
    if gpu: torch.backends.cudnn.benchmark = True
    peak = {dt: matmul_peak(device, dt, 8192 if gpu else 4096, a.reps) for dt in (torch.float32, torch.bfloat16)}
    name = torch.cuda.get_device_name(device) if gpu else 'CPU'
    print(f"{name}: matrix-product peak {peak[torch.float32] / 1e9:.0f} GFLOP/s float32, {peak[torch.bfloat16] / 1e9:.0f} GFLOP/s bf16")
    print(f"VNet width {a.width}, batch {batch} x {size}^3: each 5^3 convolution forward + backward (input and weight gradients)")
    print(f"{'input':>22s} {'out':>4s} {'n':>2s} {'GFLOP':>7s} | {'fp32 ms':>8s} {'vs mm':>7s} | {'bf16 ms':>8s} {'vs mm':>7s}"
          + ('' if gpu else f" | {'FFT fp32 ms':>11s} {'max err':>8s}"))
    total = collections.Counter()
    for (shape, cout), count in sorted(conv_layers(a.width, size, batch).items(), key=lambda kv: -kv[0][0][2]):
        cin, spatial = shape[1], shape[2:]
        flops = 3 * 2 * batch * cout * cin * math.prod(valid_taps(n) for n in spatial)   # forward, input grad, weight grad
        row, g = [], torch.Generator().manual_seed(0)
        x32 = torch.randn(shape, generator=g).to(device).requires_grad_()
        w32 = (torch.randn(cout, cin, 5, 5, 5, generator=g) / (cin * 125) ** .5).to(device).requires_grad_()
        for dt in (torch.float32, torch.bfloat16):
            x, w = x32.detach().to(dt).requires_grad_(), w32.detach().to(dt).requires_grad_()
            if gpu: x, w = (v.detach().contiguous(memory_format=torch.channels_last_3d).requires_grad_() for v in (x, w))
            t = median_seconds(lambda: F.conv3d(x, w, padding=2).sum().backward(), device, a.reps)
            total[dt] += count * t; row += [t * 1e3, flops / t / peak[dt]]
        fft_t = None
        line = (f"{str(tuple(shape)):>22s} {cout:4d} {count:2d} {flops / 1e9:7.1f} | {row[0]:8.1f} {row[1]:7.1%} | "
                f"{row[2]:8.1f} {row[3]:7.1%}")
        if not gpu and min(spatial) >= 32:                 # 16^3 tiles: no use for smaller volumes
            t = fft_t = median_seconds(lambda: fft_conv3d(x32, w32).sum().backward(), device, a.reps)
            with torch.no_grad():
                ref = F.conv3d(x32, w32, padding=2)
                err = ((fft_conv3d(x32, w32) - ref).abs().max() / ref.abs().max()).item()
            line += f" | {t * 1e3:11.1f} {err:8.1e}"
        total['fft'] += count * min(fft_t or float('inf'), row[0] / 1e3)
        print(line, flush=True)
    print(f"5^3 convolutions of one step: float32 {total[torch.float32]:.2f} s, bf16 {total[torch.bfloat16]:.2f} s"
          + ('' if gpu else f", float32 with FFT wherever it is faster {total['fft']:.2f} s"))


if __name__ == '__main__':
    main()
