-- grain: one row per completed order with at least one line, up to the as-of date
-- Each basket's categories as a bit mask (basket_categories.category_bit), with the customer's
-- next completed basket and every category the customer has bought up to this basket
-- (categories_so_far_mask): category rules and "what comes next" count baskets per mask (at most
-- 2^categories masks) instead of pairing lines. Stored by day, so a window of days reads only
-- its row groups.
with baskets as (
    select
        lines.order_id,
        lines.customer_id,
        lines.ordered_at,
        lines.ordered_on,
        bit_or(categories.category_bit) as category_mask,
        count(*) as products
    from basket_lines as lines
    inner join basket_categories as categories on categories.category = lines.category
    group by lines.order_id, lines.customer_id, lines.ordered_at, lines.ordered_on
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_on,
        category_mask,
        products,
        lead(ordered_at) over next_basket as next_ordered_at,
        cast(lead(ordered_at) over next_basket as date) as next_ordered_on,
        lead(category_mask) over next_basket as next_category_mask,
        bit_or(category_mask) over (next_basket rows between unbounded preceding and current row)
            as categories_so_far_mask
    from baskets
    window next_basket as (partition by customer_id order by ordered_at, order_id)
)

select * from final
order by ordered_on, customer_id, order_id
