-- order_facts.previous_completed_on / second_previous_completed_on (what the overview counts
-- active and repeat customers with) against a self-join: the days of the customer's completed
-- orders just before this one (by time, then id); null on orders not completed
with completed as (
    select customer_id, order_id, ordered_at, ordered_on
    from order_facts
    where is_completed
),

before as (
    -- each completed order with the completed orders before it, numbered from the nearest
    select
        later.order_id,
        earlier.ordered_on,
        row_number() over (
            partition by later.order_id order by earlier.ordered_at desc, earlier.order_id desc
        ) as distance
    from completed as later
    inner join completed as earlier
        on earlier.customer_id = later.customer_id
        and (earlier.ordered_at < later.ordered_at
            or (earlier.ordered_at = later.ordered_at and earlier.order_id < later.order_id))
),

expected as (
    select
        completed.order_id,
        max(before.ordered_on) filter (where before.distance = 1) as previous_on,
        max(before.ordered_on) filter (where before.distance = 2) as second_previous_on
    from completed
    left join before on before.order_id = completed.order_id
    group by completed.order_id
)

select 'order_facts' as source, order_facts.order_id as row_key
from order_facts
left join expected on expected.order_id = order_facts.order_id
where (not order_facts.is_completed
        and (order_facts.previous_completed_on is not null or order_facts.second_previous_completed_on is not null))
    or (order_facts.is_completed
        and (order_facts.previous_completed_on is distinct from expected.previous_on
            or order_facts.second_previous_completed_on is distinct from expected.second_previous_on))
