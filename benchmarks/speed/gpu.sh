#!/usr/bin/env bash
# Every GPU measurement in one run, for a machine with one H100 or H200, its PyTorch, and no network.
# What the machine lacks (MONAI, nibabel) is installed from wheels downloaded beforehand into .whl/:
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux2014_x86_64 -d .whl monai==1.6.1 nibabel==5.4.2
# Then, on the GPU machine, from the repository root:  bash benchmarks/speed/gpu.sh [OUT_DIR]
set -uo pipefail
out=${1:-benchmarks/speed/results}; mkdir -p "$out"
if ! python3 -c 'import monai, nibabel' 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/abdoseg-site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/abdoseg-site:${PYTHONPATH:-}
fi
export PYTHONPATH=$PWD:${PYTHONPATH:-} PYTHONUNBUFFERED=1 MPLBACKEND=Agg
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/card.txt"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' | tee -a "$out/card.txt"
run() { local name=$1 limit=$2; shift 2; echo "== $name"; timeout "$limit" python3 "$@" 2>&1 | grep -v -i warning | tee "$out/$name.txt"; }
run time_to_dice 360 benchmarks/speed/time_to_dice.py --device cuda      # also the flare22 preset's step time and data wait
run inference_trained 60 benchmarks/speed/inference.py --device cuda --checkpoint benchmarks/speed/results/time_to_dice_flare22_best.pt
run train_step 150 benchmarks/speed/train_step.py --device cuda
run inference 50 benchmarks/speed/inference.py --device cuda
run augment 60 benchmarks/speed/augment.py --device cuda --patch 128 --batch 2
run conv_peak 60 benchmarks/speed/conv_peak.py --device cuda
echo "== summary"
for f in time_to_dice inference_trained train_step inference augment conv_peak; do echo "$f: $(tail -n 1 "$out/$f.txt")"; done | tee "$out/summary.txt"
