-- customers whose mart figures differ from their completed orders counted straight from raw
with direct as (
    select customer_id, count(*) as count_orders, sum(amount) as revenue
    from orders
    where status = 'completed'
        and cast(ordered_at as date) <= (select max(as_of_date) from build_info)
    group by customer_id
)
select customer_features.customer_id, customer_features.count_orders, direct.count_orders as direct_count
from customer_features
left join direct on direct.customer_id = customer_features.customer_id
where customer_features.count_orders <> coalesce(direct.count_orders, 0)
    or abs(customer_features.revenue - coalesce(direct.revenue, 0)) > 0.01
