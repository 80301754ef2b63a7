-- grain: one row per day, from the first signup or order to the as-of date
with bounds as (
    select
        least(
            (select min(signed_up_on) from stg_customers),
            (select min(ordered_on) from stg_orders)
        ) as first_day
),

days as (
    select cast(unnest(generate_series(
        cast(bounds.first_day as timestamp),
        cast($as_of as timestamp),
        interval 1 day
    )) as date) as date_day
    from bounds
),

final as (
    select
        date_day,
        cast(date_trunc('month', date_day) as date) as month_start,
        last_day(date_day) as month_end,
        date_day = last_day(date_day) as is_month_end
    from days
)

select * from final
