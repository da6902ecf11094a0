# Shortcuts. Each target is a plain `swift` command that README.md also shows.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# Every `swift test` of `make test` also writes its output here; the last line of `make test`
# sums the Swift Testing results ("tests: N passed, M failed").
TEST_LOG := .build-test.log

# Debian packages the build and the tests need; installed by `make deps` when missing
# (libxml2: Foundation's XMLParser, which the SVG chart tests read the charts back with).
APT_PACKAGES := pkg-config libopenblas-dev liblapacke-dev zlib1g-dev libxml2
# Release builds of the tool and the benchmark are tuned for this CPU: the GEMM micro-kernel
# follows the compiler's target (Sources/CTargetFeatures), so -target-cpu is the one flag.
NATIVE := -Xswiftc -target-cpu -Xswiftc native
# The 8-wide AVX2 + FMA kernel of x86-64-v3 machines, tested on its own by `make test`. Swift's
# -target-cpu takes CPU names, not the x86-64-vN levels: haswell is the x86-64-v3 baseline.
X86_64_V3 := -Xswiftc -target-cpu -Xswiftc haswell
NOTRAITS := .build-notraits
MPI := .build-mpi
# Open MPI for the data-parallel tests: installed by `make deps-mpi` when missing.
APT_MPI_PACKAGES := libopenmpi-dev openmpi-bin iproute2

.PHONY: docs figures example peers-env bench-infer bench-consumer bench-train calibrate bench-overhead bench-peers test-alloc sanitize soak fuzz test-start test-v3 test-native deps deps-data deps-mpi build test test-default test-notraits test-mpi run bench bench-distributed bench-hosts clean

## Install the missing Debian packages (no-op elsewhere or when all are there).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

deps-mpi: deps
	@missing=""; for p in $(APT_MPI_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## Fashion-MNIST from Debian's dataset package.
deps-data: deps
	@dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; }

build: deps
	swift build

## Tests with the default traits (OpenBLAS on), then without any trait (pure Swift),
## and a check that the trait-less test binary does not link OpenBLAS; then the MPI tests
## (mpirun -np 2 and -np 4) in a build with the MPI trait.
test: test-start test-default test-notraits test-v3 test-native test-mpi
	@# Reaching this line means every run above passed (a failure stops make first).
	@awk '/Test run with [0-9]+ tests? .*passed/ { n += $$5 } END { print "tests: " n+0 " passed, 0 failed" }' $(TEST_LOG)

test-start:
	@rm -f $(TEST_LOG)

test-default: deps
	swift test 2>&1 | tee -a $(TEST_LOG)

test-notraits: deps
	swift test --disable-default-traits --scratch-path $(NOTRAITS) 2>&1 | tee -a $(TEST_LOG)
	@if ldd $(NOTRAITS)/debug/SwiftMLPPackageTests.xctest | grep -i openblas; then \
	  echo "error: the trait-less build links OpenBLAS"; exit 1; \
	else echo "trait-less test binary: no OpenBLAS among its libraries (ldd)"; fi

## The DocC documentation of the two libraries (swift-docc-plugin) in $(DOCS)/; any warning
## (of docc, of the plugin or of the build behind it) fails it: the last line counts them.
DOCS := .build-docs
docs: deps
	@mkdir -p $(DOCS)
	swift package --allow-writing-to-directory $(DOCS) generate-documentation --target LinearAlgebra --target NeuralNetwork \
	  --enable-experimental-combined-documentation --output-path $(DOCS)/SwiftMLP.doccarchive 2>&1 | tee $(DOCS).log
	@warnings=$$(grep -c "warning:" $(DOCS).log || true); echo "docs: $$warnings warnings"; test "$$warnings" -eq 0

## The catalogs' pictures, drawn by the package itself (Sources/DocumentationFigures) into their Resources folders.
figures: deps
	swift run DocumentationFigures $(CURDIR)

## The app of the DocC article "Depending on the package" (Examples/SpiralsApp), built and run the
## way a user builds it: its manifest names this package by the path ../SwiftMLP, here a link to this checkout.
example: deps
	ln -sfn .. Examples/SwiftMLP
	swift run --package-path Examples/SpiralsApp --scratch-path .build-example SpiralsApp .build-example/spirals.safetensors

FASHION_MNIST := /usr/share/datasets/fashion-mnist
TRAIN_FASHION := --data $(FASHION_MNIST) --layers 784,256,128,10 --activation relu --normalization batch --dropout 0.2 \
	--output softmax --loss cross-entropy --optimizer adam --epochs 20 --schedule cosine --backend openblas \
	--save out/fashion-mnist.safetensors --plot out/fashion-mnist.svg

## The GEMM tests again for each micro-kernel shape: the portable one is what `swift test`
## (no target flags) already ran; x86-64-v3 is the 8-wide AVX2 + FMA kernel; native is the best
## this CPU has (AVX-512 where present). Each build has its own scratch folder.
test-v3: deps
	@if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo; then \
	  swift test $(X86_64_V3) --scratch-path .build-v3 --filter LinearAlgebraTests 2>&1 | tee -a $(TEST_LOG); \
	else echo "no AVX2 + FMA on this CPU: x86-64-v3 kernel tests skipped"; fi

test-native: deps
	swift test $(NATIVE) --scratch-path .build-native --filter LinearAlgebraTests 2>&1 | tee -a $(TEST_LOG)

## Data-parallel training: the MPI trait in its own scratch folder, then the tests that run mpirun.
test-mpi: deps-mpi
	@if command -v mpirun >/dev/null && pkg-config --exists ompi-c; then \
	  swift test --traits OpenBLAS,MPI --scratch-path $(MPI) --filter 'Distributed(Hosts)?Tests' 2>&1 | tee -a $(TEST_LOG); \
	else echo "Open MPI not found (mpirun, pkg-config ompi-c): MPI tests skipped"; fi

## The across-hosts tests alone (network namespaces, Open MPI over TCP; root and iproute2; also
## part of test-mpi, which skips them with a line saying why where namespaces cannot be made).
test-hosts: deps-mpi
	swift test --traits OpenBLAS,MPI --scratch-path $(MPI) --filter 'DistributedHostsTests' 2>&1 | tee -a $(TEST_LOG)

## The main job: train 784-256-128-10 with BatchNorm, ReLU and Dropout 0.2 after each hidden layer on
## Fashion-MNIST, print test accuracy, save model and curves.
run: deps-data
	@mkdir -p out
	swift run -c release $(NATIVE) mlp train $(TRAIN_FASHION)

bench: deps
	@mkdir -p out
	swift run -c release $(NATIVE) mlp-bench gemm --svg out/gemm.svg

## Training steps, epochs and inference per backend and thread count (Fashion-MNIST).
bench-train: deps deps-data
	@mkdir -p out
	swift run -c release $(NATIVE) mlp-bench train --json out/train.json --svg out/train.svg

## Inference latency (median, p99) per backend at batch 1, 8, 64, 1024 and 1, 2 threads; then
## the same for numpy and PyTorch.
bench-infer: deps
	swift run -c release $(NATIVE) mlp-bench infer
	$(PEERS_PYTHON) Benchmarks/peers/peer_latency.py --threads 1,2

## An app that depends on the package by path, built plain and with $(NATIVE), side by side.
bench-consumer: deps
	Benchmarks/consumer.sh 2 3

## Measure where OpenBLAS beats the Swift kernel and save the table `--backend auto` reads.
calibrate: deps
	swift run -c release $(NATIVE) mlp-bench calibrate --save

## The OpenBLAS backend's cost over a direct cblas_sgemm call.
bench-overhead: deps
	swift run -c release $(NATIVE) mlp-bench overhead

## The same network in numpy, PyTorch, JAX and scikit-learn (Benchmarks/peers/README.md);
## with the venv of `make peers-env` when there is one.
PEERS_PYTHON ?= $(shell test -x .venv-peers/bin/python && echo .venv-peers/bin/python || echo python3)
bench-peers: deps-data
	@mkdir -p out
	$(PEERS_PYTHON) Benchmarks/peers/peer_benchmark.py --threads 2 --json out/peers.json

## The peers' versions of the issue's reference table in .venv-peers (several GB: PyPI's torch is the CUDA build).
peers-env:
	python3 -m venv .venv-peers
	.venv-peers/bin/pip install torch==2.15.0 numpy==2.4.6 jax==0.10.2 jaxlib==0.10.2 scikit-learn==1.9.1

## No heap allocation in training steps after the first (a release build: debug builds
## allocate in unspecialised generic code).
test-alloc: deps
	swift test -c release --scratch-path .build-release --filter TrainingAllocationTests

## Samples/s and communication share for 1, 2 and 4 ranks (Fashion-MNIST).
bench-distributed: deps-mpi deps-data
	Benchmarks/distributed.sh

## The same across test hosts (network namespaces, Open MPI over TCP, shaped links; needs root):
## 1, 2 and 4 hosts, 1 Gbit/s and 10 Gbit/s, global batch 128 and 1024, without and with overlap
## (--allreduce-bucket 0 and 1: a bucket per layer); then the ring model fitted and extrapolated.
bench-hosts: deps-mpi deps-data
	@mkdir -p out
	Benchmarks/distributed-hosts.sh --json out/hosts.json

## The test suite under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer (.build-asan, .build-tsan).
sanitize: deps
	scripts/sanitize.sh all

## 200 epochs with a checkpoint per epoch; prints resident memory after epoch 1 and epoch 200.
soak: deps
	scripts/soak.sh 200

## Fuzz the format readers (libFuzzer + AddressSanitizer, Linux), FUZZ_SECONDS per harness; see Fuzz/README.md.
FUZZ_SECONDS ?= 60
fuzz:
	Fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build $(NOTRAITS) $(MPI) $(DOCS) .build-example .build-v3 .build-native .build-fuzz .build-asan .build-tsan .build-release .build-mpi-native
