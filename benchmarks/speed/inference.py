"""Sliding-window inference: abdoseg's against MONAI's sliding_window_inference, same weights, volume, window and overlap.

    python benchmarks/speed/inference.py                   # CPU: 160 x 160 x 96 volume, 64^3 windows
    python benchmarks/speed/inference.py --device cuda     # GPU: 272 x 272 x 144 volume, 128^3 windows
    python benchmarks/speed/inference.py --file-to-nifti   # CPU: a FLARE22-size phantom, file to written NIfTI, CPU preset
    python benchmarks/speed/inference.py --device cuda --checkpoint runs/flare22/best.pt   # trained weights, a real volume

Both use MONAI's VNet (random weights, seeded) on a random volume, or with --checkpoint abdoseg's trained VNet
on the first test case of the checkpoint's data (resampled and normalized as `predict` does), windows of the
checkpoint's patch size; Gaussian weighting, overlap 0.5 and 4 windows a batch.
abdoseg runs in bf16 where the device has it natively (a GPU; a CPU with AVX512-BF16 or AMX), and in fp32; MONAI in
fp32 and, where bf16 is native, in bf16. Reported: time, peak GPU memory, and the share of
voxels whose argmax labels agree. The last line is the speed ratio against MONAI's fp32.
"""
import argparse, tempfile, time
from pathlib import Path
import torch
from timing import timed, ratio


def random_model_and_volume(device, size):
    from monai.networks.nets import VNet as MonaiVNet
    torch.manual_seed(0)
    model = MonaiVNet(spatial_dims=3, in_channels=1, out_channels=5).to(device).eval()
    if device.type == 'cuda': model = model.to(memory_format=torch.channels_last_3d)
    return model, torch.randn(1, *size, device=device)


def trained_model_and_volume(device, checkpoint):
    from abdoseg.checkpoint import load_model
    from abdoseg.inference import network_input
    from abdoseg.datasets import read_case
    from abdoseg.evaluation import cases_to_evaluate
    model, ck = load_model(checkpoint, device)
    case = cases_to_evaluate(ck, 'test')[0]                  # the first test case of its run
    vol, _ = read_case(case)
    x = torch.from_numpy(network_input(ck, vol)[0])[None].to(device)
    print(f"checkpoint {checkpoint}: {case.name} at {ck.spacing} mm -> volume {tuple(x.shape[1:])}")
    return model, x


def sliding(model, x, window, iters):
    from monai.inferers import sliding_window_inference
    from abdoseg.sliding_window import sliding_window
    device = x.device
    def monai(bf16):
        with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            return sliding_window_inference(x[None], window, 4, model, overlap=0.5, mode='gaussian')[0].float()
    ours = lambda amp: sliding_window(model, x, window, overlap=0.5, batch_size=4, amp=amp)
    rows = {}
    from abdoseg.vnet import cpu_has_bf16
    rows['MONAI fp32'] = timed(lambda: monai(False), device, iters)
    if device.type == 'cuda' or cpu_has_bf16():
        rows['MONAI bf16'] = timed(lambda: monai(True), device, iters)
        rows['abdoseg fp32'] = timed(lambda: ours(False), device, iters)
    rows['abdoseg'] = timed(lambda: ours(True), device, iters)
    ref = rows['MONAI fp32'].output.argmax(0)
    print(f"{'':12s} {'time':>34s} {'peak GPU':>9s} {'labels agree with MONAI fp32':>30s}")
    for name, t in rows.items():
        print(f"{name:12s} {str(t):>34s} {t.peak_gb:8.2f}G {(t.output.argmax(0) == ref).float().mean().item():29.4%}")
    print(f"abdoseg/MONAI sliding-window speed ratio (vs MONAI fp32): {ratio(rows['MONAI fp32'], rows['abdoseg'])}")


def file_to_nifti():
    "A FLARE22-size phantom (512 x 512 x 110 at 0.8 mm) segmented from file to written NIfTI with a CPU-preset network."
    from abdoseg.phantom import make_case, save_case
    from abdoseg.train import TrainConfig, train
    from abdoseg.inference import predict
    from abdoseg.files import project_root
    tmp = Path(tempfile.mkdtemp())
    ckpt = project_root() / 'runs' / 'cpu' / 'best.pt'
    if not ckpt.exists():
        ckpt = train(TrainConfig(epochs=1, iters_per_epoch=2, out_dir=str(tmp / 'run'), progress=False), log=lambda *a: None)['checkpoint']
    case = make_case(4, 'flare22')
    save_case(case, tmp / 'big_0000.nii.gz', tmp / 'big.nii.gz')
    t = time.perf_counter()
    predict(ckpt, tmp / 'big_0000.nii.gz', tmp / 'pred.nii.gz', progress=False)
    dt = time.perf_counter() - t
    print(f"{case.image.shape} at {tuple(round(s, 2) for s in case.info['spacing'])} mm, checkpoint {ckpt}: "
          f"file to written NIfTI in {dt:.1f} s on {torch.get_num_threads()} CPU threads")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cpu'); p.add_argument('--iters', type=int, default=3)
    p.add_argument('--file-to-nifti', action='store_true')
    p.add_argument('--checkpoint', help="abdoseg's trained VNet from this checkpoint, on a test case of its data")
    a = p.parse_args()
    if a.file_to_nifti: return file_to_nifti()
    device = torch.device(a.device)
    gpu = device.type == 'cuda'
    if a.checkpoint:
        model, x = trained_model_and_volume(device, a.checkpoint)
        window = tuple(torch.load(a.checkpoint, weights_only=True, map_location='cpu')['patch_size'])
    else:
        size, window = ((272, 272, 144), (128,) * 3) if gpu else ((160, 160, 96), (64,) * 3)
        model, x = random_model_and_volume(device, size)
    print(f"{torch.cuda.get_device_name(device) if gpu else 'CPU'}: volume {tuple(x.shape[1:])}, window {window}, overlap 0.5, 4 windows a batch")
    sliding(model, x, window, a.iters)


if __name__ == '__main__':
    main()
