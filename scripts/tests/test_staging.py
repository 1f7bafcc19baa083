"""Staging on messy input: every bad row is quarantined with its reason, and no row goes missing."""

from __future__ import annotations

import json
from contextlib import closing

from revenue_warehouse.config import raw_contract
from revenue_warehouse.synthetic.bad_rows import BAD_ROW_CLASSES
from revenue_warehouse.synthetic.generate import MANIFEST

#: raw table -> (stg model, its primary key)
STAGED = {
    "raw_crm.account": ("stg_crm__accounts", "account_id"),
    "raw_crm.lead": ("stg_crm__leads", "lead_id"),
    "raw_crm.opportunity": ("stg_crm__opportunities", "opportunity_id"),
    "raw_crm.opportunity_history": ("stg_crm__opportunity_history", "opportunity_history_id"),
    "raw_crm.user": ("stg_crm__users", "user_id"),
    "raw_billing.customer": ("stg_billing__customers", "customer_id"),
    "raw_billing.product": ("stg_billing__products", "product_id"),
    "raw_billing.price": ("stg_billing__prices", "price_id"),
    "raw_billing.subscription": ("stg_billing__subscriptions", "subscription_id"),
    "raw_billing.invoice": ("stg_billing__invoices", "invoice_id"),
    "raw_billing.invoice_line_item": ("stg_billing__invoice_line_items", "invoice_line_item_id"),
    "raw_billing.refund": ("stg_billing__refunds", "refund_id"),
    "raw_hr.employee": ("stg_hr__employees", "employee_id"),
    "raw_hr.employment_status": ("stg_hr__employment_status", "employment_status_id"),
    "raw_hr.job_history": ("stg_hr__job_history", "job_history_id"),
    "raw_hr.compensation": ("stg_hr__compensation", "compensation_id"),
    "raw_finance.fx_rate": ("stg_finance__fx_rates", "currency_code || '|' || cast(rate_month as varchar)"),
    "raw_finance.gl_entry": ("stg_finance__gl_entries", "gl_entry_id"),
    "raw_cs.onboarding": ("stg_cs__onboardings", "onboarding_id"),
    "raw_cs.nps_response": ("stg_cs__nps_responses", "nps_response_id"),
    "raw_cs.csat_response": ("stg_cs__csat_responses", "csat_response_id"),
    "raw_product.feature_usage": ("stg_product__feature_usage",
                                  "account_id || '|' || feature_key || '|' || cast(usage_date as varchar)"),
}
#: a cascade: the row's parent was itself quarantined (or never existed), so the row is an orphan
PARENTS = {
    ("raw_billing.invoice_line_item", "orphan_invoice_id"): ("raw_billing.invoice", "invoice_id"),
    ("raw_billing.refund", "orphan_invoice_id"): ("raw_billing.invoice", "invoice_id"),
    ("raw_crm.opportunity_history", "orphan_opportunity_id"): ("raw_crm.opportunity", "opportunity_id"),
    ("raw_hr.job_history", "orphan_employee_id"): ("raw_hr.employee", "employee_id"),
    ("raw_hr.employment_status", "orphan_employee_id"): ("raw_hr.employee", "employee_id"),
    ("raw_hr.compensation", "orphan_employee_id"): ("raw_hr.employee", "employee_id"),
}


def test_stg_models_cover_the_contract() -> None:
    assert set(STAGED) == set(raw_contract())


def test_every_injected_bad_row_is_quarantined_with_its_reason(messy_sql) -> None:
    raw, connect = messy_sql
    injected = json.loads((raw / MANIFEST).read_text())["injected"]
    assert {(r["table"], r["reason"]) for r in injected} == {(c.table, c.reason) for c in BAD_ROW_CLASSES}
    with closing(connect()) as con:
        quarantined = con.execute("select source_table, record_id, reason from audit.quarantined_rows").fetchall()
    by_id = {(t, r): reason for t, r, reason in quarantined if r is not None}
    for row in injected:
        if row["record_id"] is None:
            continue
        assert by_id.get((row["table"], row["record_id"])) == row["reason"], row
    missing_keys = sum(1 for r in injected if r["record_id"] is None)
    assert sum(1 for _, r, reason in quarantined if r is None and reason == "missing_primary_key") == missing_keys


def test_other_quarantined_rows_are_cascades_of_quarantined_parents(messy_sql) -> None:
    raw, connect = messy_sql
    injected = {(r["table"], r["record_id"]) for r in json.loads((raw / MANIFEST).read_text())["injected"]}
    with closing(connect()) as con:
        rows = con.execute("select source_table, record_id, reason, raw_row from audit.quarantined_rows").fetchall()
        staged_parents = {
            table: {r[0] for r in con.execute(f"select {key} from staging.{model}").fetchall()}
            for table, (model, key) in STAGED.items()
        }
    for table, record_id, reason, raw_row in rows:
        if (table, record_id) in injected or record_id is None:
            continue
        assert (table, reason) in PARENTS, f"unexplained quarantine: {table} {record_id} {reason}"
        parent_table, column = PARENTS[(table, reason)]
        assert json.loads(raw_row)[column] not in staged_parents[parent_table]


def test_rows_in_equal_staged_plus_quarantined_plus_superseded_plus_deleted(messy_sql) -> None:
    _, connect = messy_sql
    with closing(connect()) as con:
        counts = {r[0]: r[1:] for r in con.execute(
            "select source_table, rows_in, rows_staged, rows_quarantined, rows_superseded, rows_deleted from audit.raw_row_counts"
        ).fetchall()}
        for table, (model, _) in STAGED.items():
            rows_in, staged, quarantined, superseded, deleted = counts[table]
            assert rows_in == con.execute(f"select count(*) from {table}").fetchone()[0], table
            assert staged == con.execute(f"select count(*) from staging.{model}").fetchone()[0], table
            assert quarantined == con.execute(
                "select count(*) from audit.quarantined_rows where source_table = ?", [table]
            ).fetchone()[0], table
            assert rows_in == staged + quarantined + superseded + deleted, table
        # re-syncs and soft deletes are present in the messy data, and accounted for
        assert counts["raw_billing.invoice"][3] > 0 and counts["raw_crm.lead"][4] > 0


def test_the_input_guards_know_every_typed_contract_column() -> None:
    """macros/staging.sql contract_types() (what implausible_date and out_of_range read) lists exactly the
    typed columns of the sources' YAML: a column added to the contract cannot escape the guards."""
    import ast

    from revenue_warehouse.config import PROJECT_ROOT

    text = (PROJECT_ROOT / "macros" / "staging.sql").read_text()
    body = text.split("{%- set types = ", 1)[1].split(" -%}", 1)[0]
    listed = {f"raw_{name}": [tuple(pair) for pair in columns] for name, columns in ast.literal_eval(body).items()}
    expected = {name: [(c, t) for c, t in zip(table.columns, table.types)
                       if t not in ("varchar", "boolean") and c != "_loaded_at"]
                for name, table in raw_contract().items()}
    assert listed == expected
