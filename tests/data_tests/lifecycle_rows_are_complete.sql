-- customers missing a month-end snapshot between their signup month and the as-of date
with expected as (
    select features.customer_id, count(distinct calendar.month_end) + 1 as snapshots
    from customer_features as features
    inner join calendar
        on calendar.month_end >= last_day(features.signed_up_on)
        and calendar.month_end < (select max(as_of_date) from build_info)
    group by features.customer_id
),
actual as (
    select customer_id, count(*) as snapshots from lifecycle_monthly group by customer_id
)
select expected.customer_id, expected.snapshots, actual.snapshots as actual_snapshots
from expected
left join actual on actual.customer_id = expected.customer_id
where coalesce(actual.snapshots, 0) <> expected.snapshots
