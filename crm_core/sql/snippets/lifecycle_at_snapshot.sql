snapshot as (
    -- the latest snapshot on or before the as-of date (a month end, or the build's as-of date)
    select max(month_end) as snapshot_date
    from lifecycle_monthly
    where month_end <= $as_of
),

-- not materialized: a query that reads two snapshots (the list's stage before, the flows) had
-- DuckDB compute every month end's stages once (15.9M rows at L) instead of pushing each
-- reference's month_end into the scan
staged as not materialized (
    select
        lifecycle.customer_id,
        lifecycle.month_end,
        lifecycle.days_since_last_order,
        lifecycle.count_orders_365d,
        lifecycle.count_orders_to_date,
        case
            -- the default rule (days, 180, 3) is the mart's own stage column: no per-row rule
            -- (with the values bound, DuckDB drops whichever branch cannot apply)
            when $dissolution_rule = 'days' and $dissolution_days = 180 and $commitment_orders = 3
                then lifecycle.stage
            when lifecycle.last_ordered_on is null then 'cognition'
            -- rule 'p_alive': dissolved when the BG/NBD probability of still being active at the
            -- snapshot falls below $p_alive_below (Fader, Hardie & Lee 2008, with the fitted
            -- parameters; x = purchase days - 1, recency and age in weeks from the first purchase).
            -- BG/NBD gives P(alive) = 1 to one-time buyers, so they keep the days rule.
            when case
                when $dissolution_rule = 'p_alive' and lifecycle.purchase_days_to_date > 1
                    then 1.0 / (1.0 + exp(least(700.0,
                        ln($bg_a / ($bg_b + lifecycle.purchase_days_to_date - 2))
                        + ($bg_r + lifecycle.purchase_days_to_date - 1) * ln(
                            ($bg_alpha + date_diff('day', lifecycle.first_ordered_on, lifecycle.month_end) / 7.0)
                            / ($bg_alpha + date_diff('day', lifecycle.first_ordered_on, lifecycle.last_ordered_on) / 7.0)
                        )
                    ))) < $p_alive_below
                else lifecycle.days_since_last_order > $dissolution_days
            end then 'dissolution'
            when lifecycle.count_orders_365d >= $commitment_orders then 'commitment'
            else 'exploration'
        end as stage
    from lifecycle_monthly as lifecycle
)
