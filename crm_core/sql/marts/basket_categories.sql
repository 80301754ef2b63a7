-- grain: one row per product category
-- The bit that stands for each category in order_baskets' category masks: bit n (0-based) for
-- the n-th category in alphabetical order. A mask is a bigint, so at most 62 categories (the
-- contract allows far fewer); more stop the build with a sentence that says so.
with categories as (
    select distinct category
    from stg_products
    where category is not null
),

numbered as (
    select category, row_number() over (order by category) - 1 as bit_position
    from categories
),

final as (
    select
        category,
        case
            when bit_position < 62 then cast(1 as bigint) << cast(bit_position as integer)
            else cast(error('basket_categories: more than 62 product categories; baskets are kept as one bit per category') as bigint)
        end as category_bit
    from numbered
)

select * from final
order by category
