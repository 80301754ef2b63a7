-- grain: one row per completed order per product, up to the as-of date
-- The baskets that cross-sell rules and "what comes next" are computed from: a product bought
-- twice in one order counts once (support is about baskets, not quantities).
with lines as (
    select
        items.order_id,
        items.product_id,
        sum(items.quantity) as quantity,
        sum(items.line_amount) as line_amount
    from stg_order_items as items
    group by items.order_id, items.product_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.ordered_on,
        lines.product_id,
        products.product_name,
        products.category,
        cast(lines.quantity as integer) as quantity,
        lines.line_amount
    from lines
    inner join order_facts as orders on orders.order_id = lines.order_id
    inner join stg_products as products on products.product_id = lines.product_id
    where orders.is_completed
)

select * from final
order by customer_id, ordered_at, order_id, product_id
