"""HR: employees, employment status (hires, leaves, terminations, rehires), job history (transfers) and
compensation.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revenue_warehouse.synthetic.arrays import DAY, cents, decimal_array, ids, pick
from revenue_warehouse.synthetic.billing import _local_factor
from revenue_warehouse.synthetic import shared
from revenue_warehouse.synthetic.shared import (
    Columns,
    DEPARTMENTS,
    FIRST_NAMES,
    LAST_NAMES,
    SALARY_CURRENCY,
    SALES_DEPARTMENTS,
    UNMAPPED_DEPARTMENT,
    _loaded_on,
    _rng,
)


def _headcount_target(months: np.ndarray, scale: float) -> np.ndarray:
    t = (months - shared.WINDOW_START.astype("datetime64[M]")).astype(int) / 12.0
    base = 85 + 165 * (np.exp(0.45 * t) - 1) / (np.exp(0.45 * 4) - 1)
    spree = 45 * np.clip((t - 1.0) / 0.6, 0, 1) * (t < 1.85)  # 2023: hiring ahead of revenue, then a layoff
    return (base + spree) * scale
def _hr(seed: int, scale: float, bad_rate: float) -> tuple[dict[str, Columns], np.ndarray]:
    rng = _rng(seed, 4)
    months = np.arange(shared.WINDOW_START.astype("datetime64[M]") - 1, shared.WINDOW_END.astype("datetime64[M]") + 1)
    target = _headcount_target(months, scale)
    attrition = 0.14 / 12
    hires_per_month = np.maximum(0, np.diff(target) + attrition * target[1:])
    hires_per_month[-1] *= shared.last_month_share()  # a partial last month hires only in its days
    n_initial = int(round(target[0]))
    n_new = int(round(hires_per_month.sum()))
    hire_month = months[1:][rng.choice(len(hires_per_month), n_new, p=hires_per_month / hires_per_month.sum())]
    initial_hire = shared.month_from_start(-48) + rng.integers(0, 1450, n_initial) * DAY
    hire = np.concatenate([initial_hire, shared.day_in_month(hire_month, rng.integers(0, 28, n_new))])
    hire.sort()
    n = len(hire)
    emp_type = pick(rng, ["full_time", "part_time", "contractor", "intern"], [0.86, 0.06, 0.05, 0.03], n).astype(str)
    fte = np.where(emp_type == "part_time", rng.choice([0.5, 0.6, 0.8], n), 1.0)
    tenure = np.where(emp_type == "intern", rng.integers(90, 200, n), (rng.exponential(1 / 0.14, n) * 365).astype(int) + 60)
    term = hire + tenure * DAY
    # the layoff: 8% of everyone employed on 2023-11-01 leaves that day
    layoff_day = shared.month_from_start(22)
    laid_off = (hire < layoff_day) & (term > layoff_day) & (rng.random(n) < 0.08)
    term = np.where(laid_off, layoff_day, term)
    terminated = term <= shared.WINDOW_END
    rehired = terminated & ~laid_off & (emp_type != "intern") & (rng.random(n) < 0.09)
    rehire = term + rng.integers(90, 420, n) * DAY
    rehired &= rehire <= shared.WINDOW_END
    term2 = rehire + (rng.exponential(1 / 0.14, n) * 365).astype(int) * DAY + 60 * DAY
    term2_done = rehired & (term2 <= shared.WINDOW_END)
    on_leave = (emp_type != "intern") & (rng.random(n) < 0.05)
    leave_start = hire + (rng.random(n) * np.maximum(tenure - 150, 1)).astype(int) * DAY + 60 * DAY
    leave_end = leave_start + rng.integers(30, 120, n) * DAY
    on_leave &= (leave_end < term) & (leave_end <= shared.WINDOW_END)
    part_change = (emp_type == "part_time") & (rng.random(n) < 0.4)
    part_change_day = hire + rng.integers(60, 500, n) * DAY
    part_change &= (part_change_day < term) & (part_change_day <= shared.WINDOW_END) & ~(on_leave & (part_change_day >= leave_start) & (part_change_day <= leave_end))

    dept_names = list(DEPARTMENTS)
    dept_weights = np.array([DEPARTMENTS[d][0] for d in dept_names])
    dept = np.array(dept_names)[rng.choice(len(dept_names), n, p=dept_weights / dept_weights.sum())]
    if bad_rate > 0:  # a department the mapping seed does not know yet
        dept = np.where((hire >= shared.month_from_start(38)) & (rng.random(n) < 0.04), UNMAPPED_DEPARTMENT, dept)
    transfer = rng.random(n) < np.where(terminated, 0.05, 0.12)
    transfer_day = hire + rng.integers(120, 900, n) * DAY
    transfer &= (transfer_day < np.where(rehired, rehire, term)) & (transfer_day <= shared.WINDOW_END)
    transfer_to = np.select(
        [np.isin(dept, ["Sales - NA", "Sales - EMEA"]), dept == "SDR", dept == "Support"],
        ["Customer Success", "Sales - NA", "Customer Success"], "Product",
    )
    transfer &= transfer_to != dept

    def role_for(departments: np.ndarray) -> np.ndarray:
        out = np.empty(len(departments), dtype=object)
        for name, (_share, roles, _pay) in list(DEPARTMENTS.items()) + [(UNMAPPED_DEPARTMENT, (0, {"Partner Manager": 1.0}, 90e3))]:
            sel = departments == name
            if sel.any():
                out[sel] = pick(rng, list(roles), list(roles.values()), int(sel.sum()))
        return out.astype(str)

    role = role_for(dept)
    role_after = role_for(transfer_to)
    country = np.where(dept == "Sales - EMEA", pick(rng, ["GB", "DE", "FR"], [0.5, 0.3, 0.2], n),
                       pick(rng, ["US", "US", "CA", "GB", "DE", "NL"], [0.6, 0.15, 0.07, 0.08, 0.06, 0.04], n)).astype(str)
    sal_cur = np.array([SALARY_CURRENCY[c] for c in country])
    base_pay = np.array([DEPARTMENTS.get(d, (0, {}, 90e3))[2] for d in dept]) * np.exp(rng.normal(0, 0.12, n))
    base_pay = np.where(np.isin(role, ["Manager", "Executive"]), base_pay * 1.35, base_pay)
    base_pay = np.where(emp_type == "intern", 36e3, base_pay) * _local_factor(sal_cur)

    emp_ids = ids("E", np.arange(1, n + 1), 5)
    first = FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), n)]
    last = LAST_NAMES[rng.integers(0, len(LAST_NAMES), n)]
    employees: Columns = {
        "id": emp_ids,
        "employee_number": np.char.zfill((np.arange(n) + 1001).astype(str), 6),
        "first_name": first,
        "last_name": last,
        "work_email": np.char.add(np.char.add(np.char.add(np.char.lower(first), "."), np.char.add(np.char.lower(last), emp_ids)), "@company.example"),
        "country_code": country,
        "_is_deleted": np.zeros(n, bool),
        # the HR directory of current employees is read whole by every nightly sync
        "_loaded_at": np.where(~terminated | (rehired & ~term2_done), shared.EXTRACT_AT,
                               _loaded_on(np.maximum(hire, (shared.WINDOW_START - DAY)))),
    }

    # employment_status events: hire, leave + return, part-time fte change, termination, rehire, 2nd exit
    ev = []

    def status_events(mask, day, status, fte_values):
        idx = np.flatnonzero(mask)
        ev.append((idx, day[idx], np.full(len(idx), status), np.asarray(fte_values)[idx] if np.ndim(fte_values) else np.full(len(idx), fte_values)))

    status_events(np.ones(n, bool), hire, "active", fte)
    status_events(on_leave, leave_start, "leave", fte)
    status_events(on_leave, leave_end, "active", fte)
    status_events(part_change, part_change_day, "active", np.minimum(fte + 0.2, 1.0))
    fte_late = np.where(part_change, np.minimum(fte + 0.2, 1.0), fte)
    status_events(terminated, term, "terminated", 0.0)
    status_events(rehired, rehire, "active", fte_late)
    status_events(term2_done, term2, "terminated", 0.0)
    s_emp = np.concatenate([e[0] for e in ev])
    s_day = np.concatenate([e[1] for e in ev])
    s_status = np.concatenate([e[2] for e in ev])
    s_fte = np.concatenate([e[3] for e in ev])
    order = np.lexsort((s_status, s_day, s_emp))
    s_emp, s_day, s_status, s_fte = s_emp[order], s_day[order], s_status[order], s_fte[order]
    s_terminated = s_status == "terminated"
    employment_status: Columns = {
        "id": ids("ES-", np.arange(1, len(s_emp) + 1), 7),
        "employee_id": emp_ids[s_emp],
        "effective_date": s_day,
        "status": s_status,
        "employment_type": emp_type[s_emp],
        "fte": decimal_array(np.round(s_fte * 100).astype(np.int64), scale=2, precision=4, mask=s_terminated),
        "_loaded_at": _loaded_on(np.maximum(s_day, (shared.WINDOW_START - DAY))),
    }

    # job history: hire, transfer, rehire (same department as before)
    j_emp = np.concatenate([np.arange(n), np.flatnonzero(transfer), np.flatnonzero(rehired)])
    j_day = np.concatenate([hire, transfer_day[transfer], rehire[rehired]])
    j_dept = np.concatenate([dept, transfer_to[transfer], np.where(transfer, transfer_to, dept)[rehired]])
    j_role = np.concatenate([role, role_after[transfer], np.where(transfer, role_after, role)[rehired]])
    order = np.lexsort((j_day, j_emp))
    j_emp, j_day, j_dept, j_role = j_emp[order], j_day[order], j_dept[order], j_role[order]
    spelled = j_dept.copy()
    messy = rng.random(len(spelled)) < 0.05  # HR text is not tidy: case and surrounding spaces vary
    spelled = np.where(messy, np.char.add(np.char.lower(j_dept), " "), spelled)
    managers = emp_ids[: max(1, n // 8)]
    job_history: Columns = {
        "id": ids("JH-", np.arange(1, len(j_emp) + 1), 7),
        "employee_id": emp_ids[j_emp],
        "effective_date": j_day,
        "department": spelled,
        "job_title": np.char.add(np.char.add(j_role, " - "), j_dept),
        "role_family": j_role,
        "manager_employee_id": managers[rng.integers(0, len(managers), len(j_emp))],
        "_loaded_at": _loaded_on(np.maximum(j_day, (shared.WINDOW_START - DAY))),
    }

    # compensation: at hire (a few entered late), yearly raises every April 1st, raise on transfer, rehire
    comp_start = hire + np.where((bad_rate > 0) & (rng.random(n) < 0.03), rng.integers(5, 20, n), 0) * DAY
    years = np.arange(shared.WINDOW_START.astype("datetime64[Y]").astype(int) + 1970 - 3,
                      shared.WINDOW_END.astype("datetime64[Y]").astype(int) + 1970 + 1)
    raise_days = np.array([np.datetime64(f"{y}-04-01") for y in years])
    emp_r = np.repeat(np.arange(n), len(years))
    day_r = np.tile(raise_days, n)
    employed_at_raise = (day_r > hire[emp_r] + 90 * DAY) & (day_r < np.where(rehired, np.maximum(term2, term), term)[emp_r]) & (day_r <= shared.WINDOW_END)
    employed_at_raise &= ~(rehired[emp_r] & (day_r >= term[emp_r]) & (day_r < rehire[emp_r]))
    emp_r, day_r = emp_r[employed_at_raise], day_r[employed_at_raise]
    c_emp = np.concatenate([np.arange(n), emp_r, np.flatnonzero(transfer), np.flatnonzero(rehired)])
    c_day = np.concatenate([comp_start, day_r, transfer_day[transfer], rehire[rehired]])
    c_kind = np.concatenate([np.zeros(n, int), np.ones(len(emp_r), int), np.full(transfer.sum(), 2), np.full(rehired.sum(), 3)])
    order = np.lexsort((c_kind, c_day, c_emp))
    c_emp, c_day, c_kind = c_emp[order], c_day[order], c_kind[order]
    step = np.where(c_kind == 0, 1.0, np.where(c_kind == 1, 1 + rng.uniform(0.02, 0.07, len(c_emp)), np.where(c_kind == 2, 1.06, 1.03)))
    salary = base_pay[c_emp] * _cumprod_by_group(step, c_emp)
    compensation: Columns = {
        "id": ids("CP-", np.arange(1, len(c_emp) + 1), 7),
        "employee_id": emp_ids[c_emp],
        "effective_date": c_day,
        "annual_base_salary": decimal_array(cents(np.round(salary, -2))),
        "currency_code": sal_cur[c_emp],
        "_loaded_at": _loaded_on(np.maximum(c_day, (shared.WINDOW_START - DAY))),
    }

    # crm users: everyone who ever worked in a go-to-market department, plus integration users
    gtm = np.flatnonzero(np.isin(dept, SALES_DEPARTMENTS) | np.isin(transfer_to, SALES_DEPARTMENTS) & transfer)
    u_ids = np.concatenate([ids("USR-", gtm + 1, 5), np.array(["USR-INT-1", "USR-INT-2", "USR-INT-3"])])
    users: Columns = {
        "id": u_ids,
        "name": np.concatenate([np.char.add(np.char.add(first[gtm], " "), last[gtm]), np.array(["Zapier Integration", "Marketing Automation", "Data Import"])]),
        "email": np.concatenate([employees["work_email"][gtm], np.array(["zapier@company.example", "ma@company.example", "import@company.example"])]),
        "employee_id": pa.array(np.concatenate([emp_ids[gtm], np.full(3, "")]), mask=np.concatenate([np.zeros(len(gtm), bool), np.ones(3, bool)])),
        "is_active": np.concatenate([~terminated[gtm] | rehired[gtm], np.ones(3, bool)]),
        "_loaded_at": np.full(len(u_ids), shared.EXTRACT_AT),
    }
    sellers = u_ids[: max(1, len(gtm))]
    tables = {
        "raw_hr.employee": employees, "raw_hr.employment_status": employment_status,
        "raw_hr.job_history": job_history, "raw_hr.compensation": compensation, "raw_crm.user": users,
    }
    return tables, sellers
def _cumprod_by_group(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cumulative product within consecutive groups (groups sorted)."""
    logs = np.cumsum(np.log(values))
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    offsets = np.repeat(logs[starts] - np.log(values[starts]), np.diff(np.r_[starts, len(values)]))
    return np.exp(logs - offsets)
