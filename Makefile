# Two commands do everything: `make demo` and `make test` (what CI runs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DBT_FLAGS := --profiles-dir . --project-dir .
FIXTURE := build/fixture
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# PostgreSQL target (make test-postgres): the local server scripts/postgres_up.sh starts
export PGHOST ?= 127.0.0.1
export PGPORT ?= 5432
export PGUSER ?= warehouse
export PGPASSWORD ?= warehouse
export PGDATABASE ?= warehouse

.PHONY: install demo bench test test-serial test-side test-late-data test-connectors spark-deps lint parse bouncer fixture contracts pytest test-postgres test-spark clean

install: $(VENV)/.installed

# -qq: pip's errors only (a machine's pip configuration can add a warning per package)
$(VENV)/.installed: pyproject.toml constraints.txt
	@echo "==> installing pinned dependencies into $(VENV) (first run only)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -qq --upgrade pip
	@$(BIN)/pip install -qq -c constraints.txt -e '.[dev]'
	@touch $@

## demo: synthetic company (scale 1) -> warehouse.duckdb -> dbt build, checks -> published/warehouse.duckdb
demo: install
	$(BIN)/warehouse demo

## bench: full and daily build time and peak memory at scales 1, 10, 100 (benchmarks/README.md);
## not part of `make test`. BENCH_SCALES=1,10 for a shorter run.
BENCH_SCALES ?= 1,10,100
bench: install
	$(BIN)/warehouse benchmark --scales $(BENCH_SCALES)

## test: everything CI checks, in two lanes (more are not faster on two cores: the work is CPU-bound): the
## fixture and the DuckDB suite; beside it sqlfluff, Spark, PostgreSQL, the connectors and the late-data builds.
## Each lane has its own dbt target and log paths and pytest temp dirs. Output is shown per lane when it ends.
test: install spark-deps
	$(MAKE) --no-print-directory -j2 --output-sync=target test-serial test-side

test-side:
	$(MAKE) --no-print-directory -j1 lint test-spark test-postgres test-connectors test-late-data

test-serial:
	$(MAKE) --no-print-directory -j1 bouncer fixture contracts pytest

lint: install
	DBT_TARGET_PATH=build/lint-target $(BIN)/sqlfluff lint --processes 2 models tests analyses

parse: install
	$(BIN)/dbt parse $(DBT_FLAGS) --target lint --warn-error-options '{"error": ["Deprecations"]}'

bouncer: parse
	$(BIN)/dbt-bouncer --config-file dbt-bouncer.yml

# dbt build + tests on a small generated fixture, in its own DuckDB file (never the demo's).
fixture: install
	rm -rf $(FIXTURE)
	$(BIN)/warehouse generate --scale 0.05 --seed 7 --bad-rows-rate 0.01 --end-month 2025-12 --out $(FIXTURE)/raw
	WAREHOUSE_PATH=$(FIXTURE)/warehouse.duckdb $(BIN)/warehouse load --from $(FIXTURE)/raw
	WAREHOUSE_PATH=$(FIXTURE)/warehouse.duckdb WAREHOUSE_PUBLISH_PATH=$(FIXTURE)/published.duckdb $(BIN)/warehouse build
	WAREHOUSE_PATH=$(FIXTURE)/warehouse.duckdb $(BIN)/dbt docs generate $(DBT_FLAGS) --quiet
	# semantic layer: MetricFlow checks the semantic models and metrics, then queries them on the fixture
	WAREHOUSE_PATH=$(FIXTURE)/warehouse.duckdb $(BIN)/mf validate-configs > $(FIXTURE)/mf-validate.log 2>&1 \
		|| { cat $(FIXTURE)/mf-validate.log; exit 1; }

# Consumer contracts: the fixture's published marts against contracts/marts.odcs.yaml (ODCS), and dbt's
# breaking-change detection against the base revision (unversioned breaking changes are errors).
contracts: install
	$(BIN)/python -m revenue_warehouse.devtools.contracts test --server ci
	$(BIN)/python -m revenue_warehouse.devtools.contracts breaking

pytest: install
	$(BIN)/pytest -q

## test-late-data: late and re-synced rows appended and rebuilt give exactly the warehouse of loading them at once
test-late-data: install
	mkdir -p build
	DBT_TARGET_PATH=build/late-data-target DBT_LOG_PATH=$(CURDIR)/build/late-data-logs \
		$(BIN)/pytest -q -m slow --basetemp=build/late-data-test

## test-postgres: a real PostgreSQL server on loopback (installed from Debian's packages if missing); the
## fixtures built there, the same recomputation tests, marts equal to DuckDB's to the cent, BI grants.
test-postgres: install
	scripts/postgres_up.sh
	mkdir -p build
	DBT_PARTIAL_PARSE=false DBT_TARGET_PATH=build/postgres-target DBT_LOG_PATH=$(CURDIR)/build/postgres-logs \
		$(BIN)/pytest -q -m postgres \
		--basetemp=build/postgres-test

## test-connectors: the synthetic company as Stripe, Salesforce, HubSpot, Xero and BambooHR land it, built
## through the adapters, equals the contract build; Fivetran's own sample data loads and builds.
test-connectors: install
	mkdir -p build
	DBT_TARGET_PATH=build/connectors-target DBT_LOG_PATH=$(CURDIR)/build/connectors-logs \
		$(BIN)/pytest -q -m connectors --basetemp=build/connectors-test

## test-spark: a local Spark (pyspark + Java 17 from Debian's packages if missing) builds the messy fixture
## (seeds, models and unit tests) and every headline mart must equal DuckDB's.
test-spark: spark-deps
	mkdir -p build
	DBT_TARGET_PATH=build/spark-target DBT_LOG_PATH=$(CURDIR)/build/spark-logs \
		$(BIN)/pytest -q -m spark --basetemp=build/spark-test

# Java and pyspark, installed before anything runs in parallel (apt and pip must not race other steps)
spark-deps: $(VENV)/.spark-installed
	command -v java >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq openjdk-17-jre-headless) >/dev/null

$(VENV)/.spark-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,spark]'
	touch $@

clean:
	rm -rf $(VENV) build target logs dbt_packages data warehouse.duckdb
