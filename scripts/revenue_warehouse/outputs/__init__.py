"""What the published marts become for people: the KPI report and file exports."""
