-- The customers of the filters (and the active segment) with what a campaign list needs, one
-- page of them in the list's order ($limit rows from $offset; all when $limit is null).
-- The sort (a column of segments.LIST_SORTS and a direction, from an allow-list) is written in
-- by segments.segment_customers: $-parameters cannot name a column.
with
-- @include filtered_customers
,
-- @include segment_base
,

page as (
    -- the page's customers by their sort key first: a narrow pass over the filtered customers
    -- and the one table the key comes from ({sort_key} and {sort_join}: segments.LIST_SORT_KEYS,
    -- the same values as segment_base's column); the list's other columns are then read for
    -- these rows only
    select filtered_customers.customer_id
    from filtered_customers
    {sort_join}
    order by {sort_key} {direction} nulls last, filtered_customers.customer_id
    limit $limit offset $offset
),

final as (
    -- @include customer_list
    inner join page on page.customer_id = segment_base.customer_id
)

select * from final
order by {sort} {direction} nulls last, customer_id
