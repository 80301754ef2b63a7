-- The customers of the filters (and the active segment) with what a campaign list needs.
with
-- @include filtered_customers
,
-- @include segment_base
,

final as (
    -- @include customer_list
)

select * from final
