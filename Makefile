# The two commands a user runs: `make demo` and `make test`. Each sets up what is missing first.
.PHONY: setup build demo test unit asan bench format clean

BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)

setup:
	@bash scripts/setup.sh

$(BUILD)/build.ninja:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: setup $(BUILD)/build.ninja
	@ninja -C $(BUILD) --quiet -j $(JOBS)

demo: build
	@$(BUILD)/ticklake demo $(ARGS)

unit: build
	@cd $(BUILD) && ctest -L unit --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTICKLAKE_SANITIZE=ON >/dev/null

asan: setup $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD) --quiet -j $(JOBS) unit_tests
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest -L unit --output-on-failure -j $(JOBS)

test: build
	@bash scripts/test.sh

bench: build
	@bash bench/run.sh

format:
	@clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
