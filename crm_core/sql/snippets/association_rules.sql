-- Association rules A -> B over the baskets of `rule_customers` (a CTE the including query
-- defines) in the $basket_days days up to the as-of date, at the $level of product or category.
window_lines as (
    select lines.order_id, lines.product_id, lines.product_name, lines.category
    from basket_lines as lines
    inner join rule_customers on rule_customers.customer_id = lines.customer_id
    where lines.ordered_on <= $as_of
        and lines.ordered_on > cast($as_of as date) - interval 1 day * $basket_days
),

basket_items as (
    -- basket_lines holds one row per order and product already: only categories need distinct
    select order_id, cast(product_id as varchar) as item, product_name as item_name, category as item_category
    from window_lines
    where $level = 'product'
    union all
    select distinct order_id, category, category, category
    from window_lines
    where $level = 'category'
),

totals as (
    select count(distinct order_id) as baskets from basket_items
),

item_counts as (
    select item, min(item_name) as item_name, min(item_category) as item_category, count(*) as baskets_with_item
    from basket_items
    group by item
),

antecedent_side as (
    -- $antecedents_of: a customer id to learn only the rules that start from that customer's
    -- items (the pairs of the baskets holding them: far fewer), or null for every rule
    select basket_items.order_id, basket_items.item
    from basket_items
    where $antecedents_of is null
        or basket_items.item in (
            select case when $level = 'product' then cast(bought.product_id as varchar) else bought.category end
            from basket_lines as bought
            where bought.customer_id = $antecedents_of and bought.ordered_on <= $as_of
        )
),

pair_counts as (
    select a.item as antecedent, b.item as consequent, count(*) as baskets_with_both
    from antecedent_side as a
    inner join basket_items as b on b.order_id = a.order_id and b.item <> a.item
    group by a.item, b.item
    having count(*) >= $min_baskets
),

rules as (
    select
        pair_counts.antecedent,
        ante.item_name as antecedent_name,
        ante.item_category as antecedent_category,
        pair_counts.consequent,
        cons.item_name as consequent_name,
        cons.item_category as consequent_category,
        pair_counts.baskets_with_both,
        ante.baskets_with_item as baskets_with_antecedent,
        cons.baskets_with_item as baskets_with_consequent,
        totals.baskets,
        pair_counts.baskets_with_both / totals.baskets as support,
        pair_counts.baskets_with_both / ante.baskets_with_item as confidence,
        (pair_counts.baskets_with_both / ante.baskets_with_item)
            / (cons.baskets_with_item / totals.baskets) as lift
    from pair_counts
    inner join item_counts as ante on ante.item = pair_counts.antecedent
    inner join item_counts as cons on cons.item = pair_counts.consequent
    cross join totals
)
