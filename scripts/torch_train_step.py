#!/usr/bin/python3
"""PyTorch's own eager training step, the reference side of TorchStepBenchmark.

  torch_train_step.py export NAME OUT.onnx SIZE   writes torchvision NAME (random init, train mode, BatchNormalization
                                                  kept) to ONNX at opset 17
  torch_train_step.py trace NAME OUT.pt SIZE      writes the same network (same seed) as TorchScript traced in train
                                                  mode: the same network run by the JVM's own libtorch
  torch_train_step.py serve NAME BATCH SIZE       reads "step" lines on stdin, runs one forward + backward + SGD step
                                                  per line and answers "ms=<step ms> minor_faults=<page faults of the step>
                                                  forward_ms=.. backward_ms=.. update_ms=.." (forward includes the loss)

Both sides measure the same way: wall time around each step, and over the whole run the rise of the process's peak
RSS (VmHWM, reset through /proc/self/clear_refs before the first step) above its RSS before the first step, which the
answer to a "peak" line reports as "peak_growth=<bytes>".
"""
import resource
import sys
import time

import torch
import torchvision

CLASSES = 10


def network(name):
    torch.manual_seed(0)
    factory = {"resnet18": torchvision.models.resnet18, "mobilenet_v2": torchvision.models.mobilenet_v2}
    if name not in factory:
        raise SystemExit(f"error: unknown network '{name}' (resnet18, mobilenet_v2)")
    return factory[name](num_classes=CLASSES)


def export(name, out, size):
    model = network(name).train()
    example = torch.randn(2, 3, size, size)
    tmp = out + ".partial"
    # PRESERVE in train mode keeps BatchNormalization in training form (not folded into Conv)
    torch.onnx.export(model, (example,), tmp, opset_version=17, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    import os
    os.replace(tmp, out)


def trace(name, out, size):
    model = network(name).train()
    traced = torch.jit.trace(model, torch.randn(2, 3, size, size), check_trace=False)
    traced.save(out + ".partial")
    import os
    os.replace(out + ".partial", out)


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return -1


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # not permitted: the peak then covers the whole process


def serve(name, batch, size):
    torch.set_num_threads(2)
    model = network(name).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(batch, 3, size, size)
    labels = torch.randint(0, CLASSES, (batch,))
    reset_peak()
    baseline = status_kib("VmRSS:")
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "peak":
            print(f"peak_growth={(status_kib('VmHWM:') - baseline) * 1024}", flush=True)
            continue
        if line.strip() != "step":
            break
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), labels)
        forward = time.perf_counter()
        loss.backward()
        backward = time.perf_counter()
        optimizer.step()
        done = time.perf_counter()
        ms = (done - started) * 1000
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
        print(f"ms={ms:.3f} minor_faults={faults} forward_ms={(forward - started) * 1000:.3f}"
              f" backward_ms={(backward - forward) * 1000:.3f} update_ms={(done - backward) * 1000:.3f}"
              f" loss={loss.item():.4f}", flush=True)


def main(argv):
    if len(argv) == 5 and argv[1] == "export":
        export(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 5 and argv[1] == "trace":
        trace(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 5 and argv[1] == "serve":
        serve(argv[2], int(argv[3]), int(argv[4]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
