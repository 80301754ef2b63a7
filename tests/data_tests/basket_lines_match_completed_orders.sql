-- every completed order with lines is a basket, and no other order is
select coalesce(o.order_id, b.order_id) as order_id
from (
    select distinct orders.order_id
    from orders
    inner join order_items on order_items.order_id = orders.order_id
    where orders.status = 'completed'
        and cast(orders.ordered_at as date) <= (select max(as_of_date) from build_info)
) as o
full outer join (select distinct order_id from basket_lines) as b on b.order_id = o.order_id
where o.order_id is null or b.order_id is null
