-- Association rules A -> B over the baskets of `rule_customers` (a CTE the including query
-- defines) in the $basket_days days up to the as-of date, at the $level of product or category.
-- Categories: baskets are counted per category mask (order_baskets), then each mask's baskets
-- count once for every category and every pair of categories it holds. Products: the window's
-- basket lines are paired within their order. Only the branch of the bound $level reads data.
window_baskets as (
    select baskets.category_mask, count(*) as baskets
    from order_baskets as baskets
    inner join rule_customers on rule_customers.customer_id = baskets.customer_id
    where baskets.ordered_on <= $as_of
        and baskets.ordered_on > cast($as_of as date) - interval 1 day * $basket_days
    group by baskets.category_mask
),

totals as (
    select cast(coalesce(sum(baskets), 0) as bigint) as baskets from window_baskets
),

mask_categories as (
    select window_baskets.category_mask, window_baskets.baskets, categories.category
    from window_baskets
    inner join basket_categories as categories on window_baskets.category_mask & categories.category_bit <> 0
    where $level = 'category'
),

window_lines as (
    select lines.order_id, lines.product_id, lines.product_name, lines.category
    from basket_lines as lines
    inner join rule_customers on rule_customers.customer_id = lines.customer_id
    where $level = 'product'
        and lines.ordered_on <= $as_of
        and lines.ordered_on > cast($as_of as date) - interval 1 day * $basket_days
),

item_counts as (
    select category as item, category as item_name, category as item_category, cast(sum(baskets) as bigint) as baskets_with_item
    from mask_categories
    group by category
    union all
    -- basket_lines holds one row per order and product already
    select
        cast(product_id as varchar),
        min(product_name),
        min(category),
        count(*)
    from window_lines
    group by product_id
),

antecedent_items as (
    -- $antecedents_of: a customer id to learn only the rules that start from that customer's
    -- items (for products, the pairs of the baskets holding them: far fewer), or null for all
    select distinct case when $level = 'product' then cast(bought.product_id as varchar) else bought.category end as item
    from basket_lines as bought
    where bought.customer_id = $antecedents_of and bought.ordered_on <= $as_of
),

pair_counts as (
    select a.category as antecedent, b.category as consequent, cast(sum(a.baskets) as bigint) as baskets_with_both
    from mask_categories as a
    inner join mask_categories as b on b.category_mask = a.category_mask and b.category <> a.category
    where $antecedents_of is null or a.category in (select item from antecedent_items)
    group by a.category, b.category
    having sum(a.baskets) >= $min_baskets
    union all
    select cast(a.product_id as varchar), cast(b.product_id as varchar), count(*)
    from window_lines as a
    inner join window_lines as b on b.order_id = a.order_id and b.product_id <> a.product_id
    where $antecedents_of is null or cast(a.product_id as varchar) in (select item from antecedent_items)
    group by a.product_id, b.product_id
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
