earlier as (
    -- RFM segment and value tier on the migration's earlier date (a month-end snapshot)
    select customer_id, rfm_segment, value_tier
    from customer_rfm_monthly
    where snapshot_date = $from_snapshot
)
