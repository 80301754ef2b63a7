-- grain: one row per customer known on or before the as-of date
-- When each relationship first reached each stage: first touch (signup), first completed order
-- (exploration), and the first day with k or more completed orders in the 365 days up to it
-- (commitment), for k = 2..5 so that the commitment threshold can be chosen on screen.
with completed as (
    select order_id, customer_id, ordered_on
    from order_facts
    where is_completed
),

lagged as (
    select
        customer_id,
        ordered_on,
        lag(ordered_on, 1) over by_customer as ordered_on_1_before,
        lag(ordered_on, 2) over by_customer as ordered_on_2_before,
        lag(ordered_on, 3) over by_customer as ordered_on_3_before,
        lag(ordered_on, 4) over by_customer as ordered_on_4_before
    from completed
    window by_customer as (partition by customer_id order by ordered_on, order_id)
),

reached as (
    select
        customer_id,
        min(ordered_on) as first_ordered_on,
        min(ordered_on) filter (where date_diff('day', ordered_on_1_before, ordered_on) < 365)
            as first_commitment_on_2,
        min(ordered_on) filter (where date_diff('day', ordered_on_2_before, ordered_on) < 365)
            as first_commitment_on_3,
        min(ordered_on) filter (where date_diff('day', ordered_on_3_before, ordered_on) < 365)
            as first_commitment_on_4,
        min(ordered_on) filter (where date_diff('day', ordered_on_4_before, ordered_on) < 365)
            as first_commitment_on_5
    from lagged
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.signed_up_on as first_touch_on,
        reached.first_ordered_on,
        reached.first_commitment_on_2,
        reached.first_commitment_on_3,
        reached.first_commitment_on_4,
        reached.first_commitment_on_5
    from customer_features as customers
    left join reached on reached.customer_id = customers.customer_id
)

select * from final
