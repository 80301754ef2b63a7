segment_snapshot as (
    -- the lifecycle snapshot read at the as-of date: the last month end on or before it, or the
    -- build's as-of date itself (segments.filtered_sql binds "(select snapshot_date from
    -- segment_snapshot)" as a value once the file has a finished build, so that DuckDB skips
    -- the other snapshots' row groups)
    select max(month_end) as snapshot_date from lifecycle_monthly where month_end <= $as_of
)
