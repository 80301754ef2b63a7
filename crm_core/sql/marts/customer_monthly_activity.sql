-- grain: one row per customer per calendar month with at least one completed order
with final as (
    select
        customer_id,
        order_month,
        count(*) as count_orders,
        sum(amount) as revenue
    from order_facts
    where is_completed
    group by customer_id, order_month
)

select * from final
