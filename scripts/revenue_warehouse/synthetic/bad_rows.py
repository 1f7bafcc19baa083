"""Bad input: the documented classes of contract violations injected into clean tables, and the Arrow table
helpers they use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revenue_warehouse.config import WarehouseError
from revenue_warehouse.synthetic.shared import Columns


@dataclass(frozen=True)
class BadRowClass:
    table: str  # schema.table
    reason: str  # the quarantine reason staging must give the row
    description: str
#: Every class of bad input the generator injects, with the reason staging gives it.
BAD_ROW_CLASSES: tuple[BadRowClass, ...] = (
    BadRowClass("raw_crm.account", "missing_primary_key", "id is null"),
    BadRowClass("raw_crm.account", "invalid_segment", "segment outside smb|mid_market|enterprise"),
    BadRowClass("raw_crm.lead", "unparseable_created_at", "created_at is 'yesterday'"),
    BadRowClass("raw_crm.opportunity", "invalid_stage_name", "stage_name 'Closed-Won?'"),
    BadRowClass("raw_crm.opportunity", "unparseable_amount", "amount '12,50 EUR'"),
    BadRowClass("raw_crm.opportunity_history", "orphan_opportunity_id", "opportunity_id points nowhere"),
    BadRowClass("raw_crm.opportunity_history", "unparseable_changed_at", "changed_at 'not a date'"),
    BadRowClass("raw_billing.subscription", "invalid_status", "status 'zombie'"),
    BadRowClass("raw_billing.invoice", "missing_primary_key", "id is null"),
    BadRowClass("raw_billing.invoice", "unparseable_invoice_date", "invoice_date 'not a date'"),
    BadRowClass("raw_billing.invoice", "invalid_status", "status 'paidd'"),
    BadRowClass("raw_billing.invoice", "unknown_currency", "currency_code 'XXX'"),
    BadRowClass("raw_billing.invoice", "currency_mismatch", "currency CHF on a customer billed in another currency"),
    BadRowClass("raw_billing.invoice_line_item", "missing_primary_key", "id is null"),
    BadRowClass("raw_billing.invoice_line_item", "unparseable_amount", "amount '12,50 EUR'"),
    BadRowClass("raw_billing.invoice_line_item", "non_positive_quantity", "quantity 0 on a subscription line"),
    BadRowClass("raw_billing.invoice_line_item", "discount_exceeds_amount", "discount_amount > amount on a positive line"),
    BadRowClass("raw_billing.invoice_line_item", "invalid_period", "period_end <= period_start"),
    BadRowClass("raw_billing.invoice_line_item", "orphan_invoice_id", "invoice_id points nowhere"),
    BadRowClass("raw_billing.refund", "orphan_invoice_id", "invoice_id points nowhere"),
    BadRowClass("raw_billing.refund", "non_positive_amount", "amount <= 0"),
    BadRowClass("raw_hr.employment_status", "fte_out_of_range", "fte 1.5 on an active row"),
    BadRowClass("raw_hr.employment_status", "duplicate_effective_date", "two rows for one employee and date"),
    BadRowClass("raw_hr.employment_status", "invalid_status", "status 'sabbatical'"),
    BadRowClass("raw_hr.employment_status", "unparseable_effective_date", "effective_date '2024-02-31'"),
    BadRowClass("raw_hr.job_history", "orphan_employee_id", "employee_id points nowhere"),
    BadRowClass("raw_hr.compensation", "unparseable_annual_base_salary", "annual_base_salary '85k'"),
    BadRowClass("raw_hr.compensation", "unknown_currency", "currency_code 'EURO'"),
    BadRowClass("raw_finance.gl_entry", "unparseable_amount", "amount 'n/a'"),
    BadRowClass("raw_finance.gl_entry", "unknown_currency", "currency_code 'XXX'"),
    BadRowClass("raw_cs.onboarding", "invalid_status", "status 'done?'"),
    BadRowClass("raw_cs.nps_response", "score_out_of_range", "score 11"),
    BadRowClass("raw_cs.csat_response", "score_out_of_range", "score 0 (a 0-10 scale exported as CSAT)"),
    BadRowClass("raw_product.feature_usage", "negative_events", "events -3 (a correction row)"),
    BadRowClass("raw_product.feature_usage", "unparseable_active_users", "active_users 'n/a'"),
)
#: The record id of a table without an ``id`` column (base models build the same text from the key; a class
#: injected into such a table must leave the key's columns alone).
RECORD_KEYS = {"raw_product.feature_usage": ("account_id", "feature_key", "usage_date")}
#: Tables that get exact re-sync duplicates (same id loaded twice; superseded, not quarantined).
RESYNC_TABLES = ("raw_crm.account", "raw_crm.lead", "raw_billing.customer", "raw_hr.employee", "raw_billing.invoice_line_item")
#: Tables exported with a column the contract does not name (kept and ignored by the loader).
EXTRA_COLUMN_TABLES = ("raw_billing.customer", "raw_finance.gl_entry")
def _as_table(columns: Columns, names: tuple[str, ...]) -> pa.Table:
    arrays = []
    for name in names:
        value = columns[name]
        if isinstance(value, (pa.Array, pa.ChunkedArray)):  # Arrow splits very large conversions into chunks
            arrays.append(value)
        elif value.dtype.kind == "M" and np.datetime_data(value.dtype)[0] == "D":
            arrays.append(pa.array(value, type=pa.date32()))
        elif value.dtype.kind == "M":
            arrays.append(pa.array(value.astype("datetime64[s]"), type=pa.timestamp("s")))
        else:
            arrays.append(pa.array(value))
    return pa.Table.from_arrays(arrays, names=list(names))
def _concat(first: pa.Table, *others: pa.Table) -> pa.Table:
    """Append rows; a column that is text on either side becomes text on both."""
    parts = [first, *others]
    for i, field in enumerate(first.schema):
        types = {part.schema.field(i).type for part in parts}
        if len(types) > 1:
            parts = [part.set_column(i, field.name, pc.cast(part[field.name], pa.string())) for part in parts]
    return pa.concat_tables(parts)
def _replace(table: pa.Table, column: str, rows: np.ndarray, values: pa.Array | pa.Scalar) -> pa.Table:
    """Replace the column's values at rows (the column becomes text, as a messy export would be)."""
    mask = np.zeros(table.num_rows, bool)
    mask[rows] = True
    text = pc.if_else(pa.array(mask), values, pc.cast(table[column], pa.string()))
    return table.set_column(table.schema.get_field_index(column), column, text)
def _set_text(table: pa.Table, column: str, rows: np.ndarray, value: str | None) -> pa.Table:
    return _replace(table, column, rows, pa.scalar(value, pa.string()))
def _resync(table: pa.Table, rng: np.random.Generator, rate: float) -> pa.Table:
    """Exact re-syncs: a few rows loaded again half an hour later, the same night (superseded, not
    quarantined; never after the end date's 23:00 extract day)."""
    rows = np.sort(rng.choice(table.num_rows, max(1, int(round(rate * table.num_rows))), replace=False))
    copy = table.take(pa.array(rows))
    later = pc.add(pc.cast(copy["_loaded_at"], pa.timestamp("s")), pa.scalar(1800, pa.duration("s")))
    return _concat(table, copy.set_column(copy.schema.get_field_index("_loaded_at"), "_loaded_at", later))
def _inject(table: pa.Table, name: str, rate: float, rng: np.random.Generator) -> tuple[pa.Table, list[dict]]:
    """Corrupt a small share of the table's rows per documented class; return what was injected and why."""
    classes = [cls for cls in BAD_ROW_CLASSES if cls.table == name]
    if not classes:
        return table, []
    id_text = (pc.binary_join_element_wise(*(pc.cast(table[c], pa.string()) for c in RECORD_KEYS[name]), "|")
               if name in RECORD_KEYS else pc.cast(table["id"], pa.string()))
    counts = pc.value_counts(id_text)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    single = ~pc.is_in(id_text, value_set=repeated).to_numpy(zero_copy_only=False)  # one version only,
    if "_is_deleted" in table.column_names:  # and not soft-deleted: its reason will show
        single &= ~table["_is_deleted"].to_numpy(zero_copy_only=False).astype(bool)
    per_class = max(1, int(round(rate * table.num_rows / len(classes))))
    eligible = {cls.reason: single.copy() for cls in classes}
    if "line_type" in table.column_names:
        is_sub = pc.equal(table["line_type"], "subscription").to_numpy(zero_copy_only=False)
        positive = pc.greater(table["amount"], 0).to_numpy(zero_copy_only=False)
        for reason in ("non_positive_quantity", "invalid_period"):
            eligible[reason] &= is_sub
        eligible["discount_exceeds_amount"] &= is_sub & positive
    if name == "raw_crm.opportunity_history":
        # at most one row per opportunity: a connector keys history by (opportunity, time), so two rows of one
        # deal with the same unreadable time would be one row there and the round trip could not match
        _, first = np.unique(table["opportunity_id"].to_numpy(zero_copy_only=False).astype(str), return_index=True)
        once = np.zeros(table.num_rows, bool)
        once[first] = True
        eligible["unparseable_changed_at"] &= once
    if name == "raw_hr.employment_status":
        active = pc.equal(table["status"], "active").to_numpy(zero_copy_only=False)
        eligible["fte_out_of_range"] &= active
        eligible["duplicate_effective_date"] &= active
    original = table
    taken = np.zeros(table.num_rows, bool)
    extra_rows: list[pa.Table] = []
    injected: list[dict] = []
    for cls in classes:
        candidates = np.flatnonzero(eligible[cls.reason] & ~taken)
        rows = np.sort(rng.choice(candidates, min(per_class, len(candidates)), replace=False))
        taken[rows] = True
        record_ids = id_text.take(pa.array(rows, type=pa.int64())).to_pylist()
        table, record_ids, extra = _corrupt(table, original, cls, rows, record_ids)
        if extra is not None:
            extra_rows.append(extra)
        injected += [{"table": name, "reason": cls.reason, "record_id": rid} for rid in record_ids]
    return _concat(table, *extra_rows), injected
TEXT_VALUES = {
    "invalid_segment": ("segment", "unknown tier"),
    "unparseable_created_at": ("created_at", "yesterday"),
    "invalid_stage_name": ("stage_name", "Closed-Won?"),
    "unparseable_changed_at": ("changed_at", "not a date"),
    "orphan_opportunity_id": ("opportunity_id", "OPP-MISSING"),
    "unparseable_invoice_date": ("invoice_date", "not a date"),
    "orphan_invoice_id": ("invoice_id", "INV-MISSING"),
    "non_positive_quantity": ("quantity", "0"),
    "fte_out_of_range": ("fte", "1.5"),
    "unparseable_effective_date": ("effective_date", "2024-02-31"),
    "orphan_employee_id": ("employee_id", "E-MISSING"),
    "unparseable_annual_base_salary": ("annual_base_salary", "85k"),
    "score_out_of_range": ("score", "11"),
    "non_positive_amount": ("amount", "0.00"),
    "negative_events": ("events", "-3"),
    "unparseable_active_users": ("active_users", "n/a"),
}
#: where one reason's bad value differs by table
TABLE_TEXT_VALUES = {("raw_cs.csat_response", "score_out_of_range"): ("score", "0")}
STATUS_TEXT = {"raw_billing.subscription": "zombie", "raw_billing.invoice": "paidd", "raw_hr.employment_status": "sabbatical", "raw_cs.onboarding": "done?"}
def _corrupt(table: pa.Table, original: pa.Table, cls: BadRowClass, rows: np.ndarray, record_ids: list) -> tuple[pa.Table, list, pa.Table | None]:
    reason = cls.reason
    if reason == "missing_primary_key":
        return _set_text(table, "id", rows, None), [None] * len(rows), None
    if (cls.table, reason) in TABLE_TEXT_VALUES or reason in TEXT_VALUES:
        column, value = TABLE_TEXT_VALUES.get((cls.table, reason)) or TEXT_VALUES[reason]
        return _set_text(table, column, rows, value), record_ids, None
    if reason == "invalid_status":
        return _set_text(table, "status", rows, STATUS_TEXT[cls.table]), record_ids, None
    if reason == "unparseable_amount":
        return _set_text(table, "amount", rows, "n/a" if cls.table == "raw_finance.gl_entry" else "12,50 EUR"), record_ids, None
    if reason == "unknown_currency":
        return _set_text(table, "currency_code", rows, "EURO" if cls.table == "raw_hr.compensation" else "XXX"), record_ids, None
    if reason == "currency_mismatch":
        return _set_text(table, "currency_code", rows, "CHF"), record_ids, None
    if reason == "discount_exceeds_amount":
        above = pc.cast(pc.add(pc.cast(original["amount"], pa.decimal128(18, 2)), pa.scalar(10, pa.decimal128(18, 2))), pa.string())
        return _replace(table, "discount_amount", rows, above), record_ids, None
    if reason == "invalid_period":
        return _replace(table, "period_end", rows, pc.cast(original["period_start"], pa.string())), record_ids, None
    if reason == "duplicate_effective_date":
        extra = original.take(pa.array(rows))
        new_ids = [f"ES-DUP-{i:04d}" for i in range(1, len(rows) + 1)]
        extra = extra.set_column(0, "id", pa.array(new_ids))
        earlier = pc.subtract(pc.cast(extra["_loaded_at"], pa.timestamp("s")), pa.scalar(3600, pa.duration("s")))
        extra = extra.set_column(extra.schema.get_field_index("_loaded_at"), "_loaded_at", earlier)
        extra = _set_text(extra, "fte", np.arange(len(rows)), "0.50")
        return table, new_ids, extra
    raise WarehouseError(f"no corruption defined for bad-row class {cls}")
