# The two commands a user runs: `make demo` and `make test`. Each sets up what is missing first.
.PHONY: setup build demo test unit bench format clean

BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)

# Tests and benchmarks also need their peers (kcat, awscli, s3rver, Chromium, ...).
test bench: SETUP_ARGS = --test
setup:
	@bash scripts/setup.sh $(SETUP_ARGS)

$(BUILD)/build.ninja:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: setup $(BUILD)/build.ninja
	@ninja -C $(BUILD) --quiet -j $(JOBS)

demo: build
	@$(BUILD)/ticklake demo $(ARGS)

unit: build
	@cd $(BUILD) && ctest -L unit --output-on-failure -j $(JOBS)

test: build
	@bash scripts/test.sh

bench: build
	@bash bench/run.sh

format:
	@clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
